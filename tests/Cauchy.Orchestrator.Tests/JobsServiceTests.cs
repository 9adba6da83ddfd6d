using Cauchy.Testing;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit;

namespace Cauchy.Orchestrator.Tests;

/// <summary>The orchestrator run as its own process on SQLite, resolving datasets through a real gRPC server.</summary>
public sealed class OrchestratorFixture : IAsyncLifetime
{
    public FakeCatalogServer Datasets { get; private set; } = null!;

    public ServiceProcess Service { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public V1.Jobs.JobsClient Client => new(Channel);

    public static Dictionary<string, string> Environment(FakeCatalogServer datasets) => new()
    {
        ["CAUCHY_SERVICES__DATASETS__ADDRESS"] = datasets.Address.ToString(),
        ["CAUCHY_SERVICES__REGISTRY__ADDRESS"] = datasets.Address.ToString(),
        ["CAUCHY_JOBS__REAPERINTERVALSECONDS"] = "1",
        ["CAUCHY_JOBS__POLLSECONDS"] = "0.5",
        ["CAUCHY_JOBS__GAUGECACHESECONDS"] = "0",
        // The tests' own architectures beside the zoo's names from appsettings.json (indexes 0-7).
        ["CAUCHY_JOBS__ARCHITECTURES__100"] = "arch_*",
        ["CAUCHY_JOBS__ARCHITECTURES__101"] = "simple_cnn",
    };

    public async Task InitializeAsync()
    {
        Datasets = await FakeCatalogServer.StartAsync();
        Service = await ServiceProcess.StartAsync("orchestrator", "Cauchy.Orchestrator", Environment(Datasets));
        Channel = TestAuthentication.ServiceChannel(Service.Address);
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await Service.DisposeAsync();
        await Datasets.DisposeAsync();
    }
}

/// <summary>
/// cauchy.v1.Jobs over gRPC. Tests share one orchestrator, so each leases only its own jobs: every test submits a
/// job with an architecture name of its own and leases with that name as the worker's only architecture.
/// </summary>
public sealed class JobsServiceTests(OrchestratorFixture fixture) : IClassFixture<OrchestratorFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_job_is_submitted_leased_reported_on_completed_and_watched_to_the_end()
    {
        var client = fixture.Client;
        var architecture = UniqueArchitecture();
        var submitted = (await client.SubmitJobAsync(new SubmitJobRequest { Hypes = Hypes(architecture) }, Deadline())).Job;
        Assert.Equal(JobState.Queued, submitted.State);
        Assert.Equal("v2", submitted.Spec.Dataset.VersionId);

        using var watch = client.WatchJob(new WatchJobRequest { JobId = submitted.Id }, Deadline());
        // The snapshot first, so the watch has certainly begun before anything happens to the job.
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        var snapshot = watch.ResponseStream.Current.Event;
        var watched = CollectAsync(watch.ResponseStream, r => r.Event);
        using var logs = client.StreamLogs(new StreamLogsRequest { JobId = submitted.Id, Follow = true }, Deadline());
        var followed = CollectAsync(logs.ResponseStream, r => r.Lines.ToList());

        var lease = await client.LeaseJobAsync(new LeaseJobRequest
        {
            WorkerId = "trainer-1",
            Device = Specs.Cpu(),
            Architectures = { architecture },
            Wait = Duration.FromTimeSpan(TimeSpan.FromSeconds(20)),
        }, Deadline());
        Assert.Equal(submitted.Id, lease.Job.Id);
        Assert.Equal(JobState.Running, lease.Job.State);
        Assert.Equal(TimeSpan.FromSeconds(10), lease.HeartbeatInterval.ToTimeSpan());
        Assert.Null(lease.ResumeFrom);

        using (var append = client.AppendLogs(Deadline()))
        {
            await append.RequestStream.WriteAsync(new AppendLogsRequest { LeaseId = lease.LeaseId, Lines = { new LogLine { Text = "epoch 1/2" } } });
            await append.RequestStream.WriteAsync(new AppendLogsRequest { Lines = { new LogLine { Text = "loss 0.5" }, new LogLine { Text = "epoch 2/2" } } });
            await append.RequestStream.CompleteAsync();
            Assert.Equal(3, (await append.ResponseAsync).LinesAppended);
        }

        var beat = await client.HeartbeatAsync(new HeartbeatRequest
        {
            LeaseId = lease.LeaseId,
            Progress = new JobProgress { Phase = JobPhase.Training, Epoch = 1, TotalEpochs = 2, Step = 100, SamplesPerSecond = 900 },
            Metrics = { Metric("train/loss", 0.5, 100), Metric("validation/accuracy", 0.8, 100), Metric("learning_rate", 0.05, 100) },
            CompletedEpoch = 1,
        }, Deadline());
        Assert.False(beat.CancelRequested);
        Assert.True(beat.LeaseExpireTime.ToDateTime() > DateTime.UtcNow);

        var scrape = await ScrapeAsync();
        Assert.Contains(scrape, l => l.StartsWith("cauchy_job_train_loss{", StringComparison.Ordinal) && l.Contains($"job_id=\"{submitted.Id}\"") && l.Contains($"model=\"{architecture}\"") && l.Contains("dataset=\"fashion\"") && l.EndsWith(" 0.5", StringComparison.Ordinal));
        Assert.Contains(scrape, l => l.StartsWith("cauchy_job_epoch{", StringComparison.Ordinal) && l.Contains($"job_id=\"{submitted.Id}\"") && l.EndsWith(" 1", StringComparison.Ordinal));
        Assert.Contains(scrape, l => l.StartsWith("cauchy_jobs{state=\"running\"}", StringComparison.Ordinal));
        Assert.Contains(scrape, l => l.StartsWith("cauchy_jobs_queued ", StringComparison.Ordinal));

        var completed = await client.CompleteJobAsync(new CompleteJobRequest
        {
            LeaseId = lease.LeaseId,
            ResultModelVersion = new ModelVersionRef { ModelName = "fashion-cnn", Version = 1 },
            Metrics = { Metric("train/loss", 0.3, 200) },
        }, Deadline());
        Assert.Equal(JobState.Succeeded, completed.Job.State);
        Assert.DoesNotContain(await ScrapeAsync(), l => l.StartsWith("cauchy_job_", StringComparison.Ordinal) && l.Contains($"job_id=\"{submitted.Id}\""));

        Assert.Equal(JobState.Queued, snapshot.Snapshot.State);
        var afterSnapshot = await watched.WaitAsync(Patience);
        Assert.Equal([JobEvent.KindOneofCase.StateChanged, JobEvent.KindOneofCase.Progress, JobEvent.KindOneofCase.EpochCompleted, JobEvent.KindOneofCase.StateChanged],
            afterSnapshot.Select(e => e.KindCase));
        Assert.Equal(JobState.Running, afterSnapshot[0].StateChanged.State);
        Assert.Equal(100, afterSnapshot[1].Progress.Step);
        Assert.Equal(1, afterSnapshot[2].EpochCompleted.Epoch);
        Assert.Equal(JobState.Succeeded, afterSnapshot[3].StateChanged.State);

        var lines = (await followed.WaitAsync(Patience)).SelectMany(l => l).ToList();
        Assert.Equal(["epoch 1/2", "loss 0.5", "epoch 2/2"], lines.Where(l => l.WorkerId == "trainer-1").Select(l => l.Text));
        Assert.Equal(Enumerable.Range(1, lines.Count).Select(i => (long)i), lines.Select(l => l.Sequence));

        var metrics = await client.GetJobMetricsAsync(new GetJobMetricsRequest { JobId = submitted.Id, Names = { "train/loss" } }, Deadline());
        Assert.Equal([(100L, 0.5), (200L, 0.3)], Assert.Single(metrics.Series).Points.Select(p => (p.Step, p.Value)));

        var listed = await client.ListJobsAsync(new ListJobsRequest { States = { JobState.Succeeded }, DatasetId = "fashion" }, Deadline());
        Assert.Contains(listed.Jobs, j => j.Id == submitted.Id);
    }

    [Fact]
    public async Task A_running_job_is_cancelled_through_the_heartbeat_answer()
    {
        var client = fixture.Client;
        var architecture = UniqueArchitecture();
        var job = (await client.SubmitJobAsync(new SubmitJobRequest { Hypes = Hypes(architecture) }, Deadline())).Job;
        var lease = await client.LeaseJobAsync(new LeaseJobRequest { WorkerId = "w", Device = Specs.Cpu(), Architectures = { architecture } }, Deadline());

        Assert.Equal(JobState.Cancelling, (await client.CancelJobAsync(new CancelJobRequest { JobId = job.Id, Reason = "wrong dataset" }, Deadline())).Job.State);
        Assert.True((await client.HeartbeatAsync(new HeartbeatRequest { LeaseId = lease.LeaseId }, Deadline())).CancelRequested);
        var stopped = await client.FailJobAsync(new FailJobRequest { LeaseId = lease.LeaseId, ErrorMessage = "cancelled", Retryable = true }, Deadline());

        Assert.Equal(JobState.Cancelled, stopped.Job.State);
        var late = await Assert.ThrowsAsync<RpcException>(() => client.HeartbeatAsync(new HeartbeatRequest { LeaseId = lease.LeaseId }, Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, late.StatusCode);
    }

    [Fact]
    public async Task Submissions_with_one_idempotency_key_make_one_job()
    {
        var client = fixture.Client;
        var key = Guid.NewGuid().ToString("N");
        var hypes = Hypes(UniqueArchitecture());

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
            client.SubmitJobAsync(new SubmitJobRequest { Hypes = hypes, IdempotencyKey = key }, Deadline()).ResponseAsync));

        Assert.Single(answers.Select(a => a.Job.Id).Distinct());
        Assert.Equal(4, answers.Count(a => a.AlreadyExisted));
        var different = await Assert.ThrowsAsync<RpcException>(() => client.SubmitJobAsync(
            new SubmitJobRequest { Hypes = Hypes(UniqueArchitecture()), IdempotencyKey = key }, Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, different.StatusCode);
    }

    [Fact]
    public async Task Two_hundred_jobs_from_twenty_retrying_clients_are_each_accepted_exactly_once()
    {
        var run = "r" + Guid.NewGuid().ToString("N")[..20];
        var hypes = Specs.HypesYaml.Replace("labels: { team: vision }", $"labels: {{ team: vision, run: {run} }}");

        // 20 clients with channels of their own submit 10 jobs each; every third submission is sent twice at once
        // with its key, as a client retrying after a lost answer would.
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async c =>
        {
            using var channel = TestAuthentication.ServiceChannel(fixture.Service.Address);
            var client = new V1.Jobs.JobsClient(channel);
            var mine = new List<SubmitJobResponse>();
            for (var j = 0; j < 10; j++)
            {
                var request = new SubmitJobRequest
                {
                    Hypes = new HypesDocument { Text = hypes.Replace("epochs: 2", $"epochs: {1 + j}") },
                    IdempotencyKey = $"{run}-{c}-{j}",
                };
                var copies = j % 3 == 0 ? 2 : 1;
                mine.AddRange(await Task.WhenAll(Enumerable.Range(0, copies).Select(_ => client.SubmitJobAsync(request, Deadline()).ResponseAsync)));
            }

            return mine;
        }));

        var all = answers.SelectMany(a => a).ToList();
        Assert.Equal(200, all.Select(a => a.Job.Id).Distinct().Count());
        Assert.Equal(all.Count - 200, all.Count(a => a.AlreadyExisted));
        var listed = new List<string>();
        var token = "";
        do
        {
            var page = await fixture.Client.ListJobsAsync(new ListJobsRequest { LabelSelector = { ["run"] = run }, PageSize = 64, PageToken = token }, Deadline());
            listed.AddRange(page.Jobs.Select(j => j.Id));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal(200, listed.Count);
        Assert.Equal(all.Select(a => a.Job.Id).Distinct().Order(), listed.Order());
    }

    [Fact]
    public async Task Mistakes_get_the_documented_statuses()
    {
        var client = fixture.Client;

        var negative = await RefusedAsync(() => client.SubmitJobAsync(new SubmitJobRequest
        {
            Hypes = new HypesDocument { Text = Specs.HypesYaml.Replace("learning_rate: 0.05", "learning_rate: -0.1") },
        }, Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, negative.StatusCode);
        Assert.Contains("spec.hyperparameters.optimizer.learning_rate", negative.Status.Detail);
        Assert.Contains("(line 8)", negative.Status.Detail);

        var unknownModel = await RefusedAsync(() => client.SubmitJobAsync(new SubmitJobRequest { Hypes = Hypes("resnet19") }, Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, unknownModel.StatusCode);
        Assert.StartsWith("spec.model.architecture: 'resnet19' is not an architecture the trainers build; known: ", unknownModel.Status.Detail);
        Assert.Contains("resnet18", unknownModel.Status.Detail);

        var dataset = await RefusedAsync(() => client.SubmitJobAsync(new SubmitJobRequest
        {
            Hypes = new HypesDocument { Text = Specs.HypesYaml.Replace("dataset_id: fashion", "dataset_id: nowhere") },
        }, Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, dataset.StatusCode);
        Assert.Equal("spec.dataset: dataset 'nowhere' does not exist", dataset.Status.Detail);

        var version = await RefusedAsync(() => client.SubmitJobAsync(new SubmitJobRequest
        {
            Hypes = new HypesDocument { Text = Specs.HypesYaml.Replace("dataset_id: fashion", "dataset_id: fashion, version_id: v7") },
        }, Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, version.StatusCode);

        var pretrained = await RefusedAsync(() => client.SubmitJobAsync(new SubmitJobRequest
        {
            Hypes = new HypesDocument { Text = Specs.HypesYaml.Replace("model: { architecture: simple_cnn }", "model: { architecture: simple_cnn, pretrained: { model_name: imagenet-cnn, version: 2 } }") },
        }, Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, pretrained.StatusCode);
        Assert.Equal("spec.model.pretrained: model version 'imagenet-cnn:2' does not exist in the registry", pretrained.Status.Detail);
        var known = await client.SubmitJobAsync(new SubmitJobRequest
        {
            Hypes = new HypesDocument { Text = Specs.HypesYaml.Replace("model: { architecture: simple_cnn }", "model: { architecture: simple_cnn, pretrained: { model_name: imagenet-cnn, version: 1 } }") },
            ValidateOnly = true,
        }, Deadline());
        Assert.Equal("imagenet-cnn", known.Job.Spec.Model.Pretrained.ModelName);

        Assert.Equal(StatusCode.NotFound, (await RefusedAsync(() => client.GetJobAsync(new GetJobRequest { JobId = "missing" }, Deadline()).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await RefusedAsync(() => client.HeartbeatAsync(new HeartbeatRequest { LeaseId = "missing" }, Deadline()).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, (await RefusedAsync(() => client.LeaseJobAsync(new LeaseJobRequest { Device = Specs.Cpu() }, Deadline()).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, (await RefusedAsync(() => client.ListJobsAsync(new ListJobsRequest { PageToken = "forged" }, Deadline()).ResponseAsync)).StatusCode);

        using var append = client.AppendLogs(Deadline());
        await append.RequestStream.WriteAsync(new AppendLogsRequest { Lines = { new LogLine { Text = "who am I" } } });
        await append.RequestStream.CompleteAsync();
        var noLease = await RefusedAsync(() => append.ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, noLease.StatusCode);
        Assert.StartsWith("lease_id:", noLease.Status.Detail);

        var architecture = UniqueArchitecture();
        var job = (await client.SubmitJobAsync(new SubmitJobRequest { Hypes = Hypes(architecture) }, Deadline())).Job;
        var lease = await client.LeaseJobAsync(new LeaseJobRequest { WorkerId = "w", Device = Specs.Cpu(), Architectures = { architecture } }, Deadline());
        await client.FailJobAsync(new FailJobRequest { LeaseId = lease.LeaseId, ErrorMessage = "corrupt shard", Retryable = false }, Deadline());
        var cancel = await RefusedAsync(() => client.CancelJobAsync(new CancelJobRequest { JobId = job.Id }, Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, cancel.StatusCode);
        Assert.Equal($"job '{job.Id}' is FAILED and cannot be cancelled", cancel.Status.Detail);
        Assert.Equal(JobState.Failed, (await client.GetJobAsync(new GetJobRequest { JobId = job.Id }, Deadline())).Job.State);
    }

    public static HypesDocument Hypes(string architecture) =>
        new() { Text = Specs.HypesYaml.Replace("architecture: simple_cnn", $"architecture: {architecture}"), Format = HypesFormat.Yaml };

    public static string UniqueArchitecture() => "arch_" + Guid.NewGuid().ToString("N")[..12];

    public static CallOptions Deadline() => new(deadline: DateTime.UtcNow.AddSeconds(90));

    public static MetricValue Metric(string name, double value, long step) => new() { Name = name, Value = value, Step = step, Epoch = 1 };

    public static async Task<List<T>> CollectAsync<TResponse, T>(IAsyncStreamReader<TResponse> stream, Func<TResponse, T> select)
    {
        var items = new List<T>();
        while (await stream.MoveNext(CancellationToken.None))
        {
            items.Add(select(stream.Current));
        }

        return items;
    }

    private static async Task<RpcException> RefusedAsync(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);

    private async Task<string[]> ScrapeAsync()
    {
        using var http = new HttpClient { Timeout = Patience };
        var text = await http.GetStringAsync($"http://127.0.0.1:{fixture.Service.HttpPort}/metrics");
        return text.Split('\n');
    }
}
