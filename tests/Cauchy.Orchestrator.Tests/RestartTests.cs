using Cauchy.Testing;
using Cauchy.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit;
using static Cauchy.Orchestrator.Tests.JobsServiceTests;

namespace Cauchy.Orchestrator.Tests;

/// <summary>kill -9 of the orchestrator during a running job, then a restart on the same data: nothing is lost.</summary>
public sealed class RestartTests : IAsyncLifetime
{
    private readonly string _dataRoot = TempDirectory.Create("cauchy-orchestrator-restart");
    private FakeCatalogServer _datasets = null!;

    public async Task InitializeAsync() => _datasets = await FakeCatalogServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _datasets.DisposeAsync();
        TempDirectory.Delete(_dataRoot);
    }

    [Fact]
    public async Task A_killed_orchestrator_restarts_with_every_job_and_transition_and_the_trainer_carries_on()
    {
        var architecture = UniqueArchitecture();
        string running, queued, cancelled, leaseId;
        await using (var first = await StartAsync())
        {
            using var channel = TestAuthentication.ServiceChannel(first.Address);
            var client = new V1.Jobs.JobsClient(channel);
            running = (await client.SubmitJobAsync(new SubmitJobRequest { Hypes = Hypes(architecture), IdempotencyKey = "restart-key" }, Deadline())).Job.Id;
            queued = (await client.SubmitJobAsync(new SubmitJobRequest { Hypes = Hypes(UniqueArchitecture()) }, Deadline())).Job.Id;
            cancelled = (await client.SubmitJobAsync(new SubmitJobRequest { Hypes = Hypes(UniqueArchitecture()) }, Deadline())).Job.Id;
            await client.CancelJobAsync(new CancelJobRequest { JobId = cancelled, Reason = "not needed" }, Deadline());
            var lease = await client.LeaseJobAsync(new LeaseJobRequest { WorkerId = "trainer-1", Device = Specs.Cpu(), Architectures = { architecture } }, Deadline());
            Assert.Equal(running, lease.Job.Id);
            leaseId = lease.LeaseId;
            await client.HeartbeatAsync(new HeartbeatRequest
            {
                LeaseId = leaseId,
                Metrics = { Metric("train/loss", 0.9, 50) },
                Checkpoint = new Checkpoint { Object = new ObjectRef { Uri = "file:///ckpt/50" }, Step = 50, Epoch = 1 },
            }, Deadline());

            await first.KillAsync();
        }

        await using var second = await StartAsync();
        using var secondChannel = TestAuthentication.ServiceChannel(second.Address);
        var restarted = new V1.Jobs.JobsClient(secondChannel);

        var job = (await restarted.GetJobAsync(new GetJobRequest { JobId = running }, Deadline())).Job;
        Assert.Equal(JobState.Running, job.State);
        Assert.Equal(1, job.Attempt);
        Assert.Equal("trainer-1", job.WorkerId);
        Assert.Equal(50, job.LatestCheckpoint.Step);
        Assert.Equal(JobState.Queued, (await restarted.GetJobAsync(new GetJobRequest { JobId = queued }, Deadline())).Job.State);
        Assert.Equal(JobState.Cancelled, (await restarted.GetJobAsync(new GetJobRequest { JobId = cancelled }, Deadline())).Job.State);
        var again = await restarted.SubmitJobAsync(new SubmitJobRequest { Hypes = Hypes(architecture), IdempotencyKey = "restart-key" }, Deadline());
        Assert.True(again.AlreadyExisted);
        Assert.Equal(running, again.Job.Id);

        // The trainer's lease outlived the orchestrator: its next heartbeat renews it.
        var beat = await restarted.HeartbeatAsync(new HeartbeatRequest { LeaseId = leaseId, Metrics = { Metric("train/loss", 0.7, 60) } }, Deadline());
        Assert.True(beat.LeaseExpireTime.ToDateTime() > DateTime.UtcNow);
        await restarted.CompleteJobAsync(new CompleteJobRequest { LeaseId = leaseId, ResultModelVersion = new ModelVersionRef { ModelName = "m", Version = 1 } }, Deadline());

        var metrics = await restarted.GetJobMetricsAsync(new GetJobMetricsRequest { JobId = running }, Deadline());
        Assert.Equal([50L, 60L], Assert.Single(metrics.Series).Points.Select(p => p.Step));
        var states = new List<JobState>();
        foreach (var id in new[] { running, cancelled })
        {
            using var watch = restarted.WatchJob(new WatchJobRequest { JobId = id }, Deadline());
            var events = await CollectAsync(watch.ResponseStream, r => r.Event);
            states.Add(Assert.Single(events).Snapshot.State);
        }

        Assert.Equal([JobState.Succeeded, JobState.Cancelled], states);
        var logs = restarted.StreamLogs(new StreamLogsRequest { JobId = running }, Deadline());
        var lines = (await CollectAsync(logs.ResponseStream, r => r.Lines.ToList())).SelectMany(l => l).Select(l => l.Text).ToList();
        // Beside them, a note for each time the lease was extended by the time no orchestrator was running.
        Assert.All(lines.Where(l => l.StartsWith("lease extended", StringComparison.Ordinal)), l => Assert.Contains("no orchestrator was running", l, StringComparison.Ordinal));
        Assert.Collection(lines.Where(l => !l.StartsWith("lease extended", StringComparison.Ordinal)),
            l => Assert.StartsWith("attempt 1 leased by worker 'trainer-1'", l),
            l => Assert.StartsWith("succeeded", l));
    }

    [Fact]
    public async Task A_lease_that_ran_out_while_the_orchestrator_was_down_is_reaped_after_the_restart()
    {
        var environment = OrchestratorFixture.Environment(_datasets);
        environment["CAUCHY_JOBS__LEASESECONDS"] = "2";
        environment["CAUCHY_JOBS__HEARTBEATINTERVALSECONDS"] = "1";
        var architecture = UniqueArchitecture();
        string jobId, leaseId;
        await using (var first = await StartAsync(environment))
        {
            using var channel = TestAuthentication.ServiceChannel(first.Address);
            var client = new V1.Jobs.JobsClient(channel);
            jobId = (await client.SubmitJobAsync(new SubmitJobRequest { Hypes = Hypes(architecture) }, Deadline())).Job.Id;
            leaseId = (await client.LeaseJobAsync(new LeaseJobRequest { WorkerId = "lost", Device = Specs.Cpu(), Architectures = { architecture } }, Deadline())).LeaseId;
            await first.KillAsync();
        }

        await using var second = await StartAsync(environment);
        using var secondChannel = TestAuthentication.ServiceChannel(second.Address);
        var restarted = new V1.Jobs.JobsClient(secondChannel);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        Job job;
        do
        {
            job = (await restarted.GetJobAsync(new GetJobRequest { JobId = jobId }, Deadline())).Job;
            if (job.State == JobState.Queued)
            {
                break;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal(JobState.Queued, job.State);
        Assert.Equal(1, job.FailureCount);
        var stale = await Assert.ThrowsAsync<RpcException>(() => restarted.HeartbeatAsync(new HeartbeatRequest { LeaseId = leaseId }, Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, stale.StatusCode);
        var next = await restarted.LeaseJobAsync(new LeaseJobRequest { WorkerId = "next", Device = Specs.Cpu(), Architectures = { architecture } }, Deadline());
        Assert.Equal(2, next.Job.Attempt);
    }

    private Task<ServiceProcess> StartAsync(Dictionary<string, string>? environment = null) =>
        ServiceProcess.StartAsync("orchestrator", "Cauchy.Orchestrator", environment ?? OrchestratorFixture.Environment(_datasets), _dataRoot);
}

/// <summary>The same service process on PostgreSQL (the cluster setting): a kill -9 and restart lose nothing there either.</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class PostgresRestartTests(PostgresFixture postgres) : IAsyncLifetime
{
    private FakeCatalogServer _datasets = null!;

    public async Task InitializeAsync() => _datasets = await FakeCatalogServer.StartAsync();

    public async Task DisposeAsync() => await _datasets.DisposeAsync();

    [Fact]
    public async Task On_postgres_a_killed_orchestrator_restarts_with_the_running_job_and_its_lease()
    {
        var database = await postgres.CreateDatabaseAsync("orchestrator_process");
        var environment = OrchestratorFixture.Environment(_datasets);
        environment["CAUCHY_DATABASE__PROVIDER"] = "postgres";
        environment["CAUCHY_DATABASE__CONNECTIONSTRING"] = database.ConnectionString!;
        var architecture = UniqueArchitecture();
        string jobId, leaseId;
        await using (var first = await ServiceProcess.StartAsync("orchestrator", "Cauchy.Orchestrator", environment))
        {
            using var channel = TestAuthentication.ServiceChannel(first.Address);
            var client = new V1.Jobs.JobsClient(channel);
            jobId = (await client.SubmitJobAsync(new SubmitJobRequest { Hypes = Hypes(architecture) }, Deadline())).Job.Id;
            leaseId = (await client.LeaseJobAsync(new LeaseJobRequest { WorkerId = "trainer-pg", Device = Specs.Cpu(), Architectures = { architecture } }, Deadline())).LeaseId;
            await client.HeartbeatAsync(new HeartbeatRequest { LeaseId = leaseId, Metrics = { Metric("train/loss", 1.2, 10) } }, Deadline());
            await first.KillAsync();
        }

        await using var second = await ServiceProcess.StartAsync("orchestrator", "Cauchy.Orchestrator", environment);
        using var secondChannel = TestAuthentication.ServiceChannel(second.Address);
        var restarted = new V1.Jobs.JobsClient(secondChannel);

        var job = (await restarted.GetJobAsync(new GetJobRequest { JobId = jobId }, Deadline())).Job;
        Assert.Equal(JobState.Running, job.State);
        Assert.Equal("trainer-pg", job.WorkerId);
        Assert.Equal(1.2, job.LastMetrics.Single().Value);
        await restarted.HeartbeatAsync(new HeartbeatRequest { LeaseId = leaseId }, Deadline());
        var done = await restarted.CompleteJobAsync(new CompleteJobRequest { LeaseId = leaseId, ResultModelVersion = new ModelVersionRef { ModelName = "m", Version = 1 } }, Deadline());
        Assert.Equal(JobState.Succeeded, done.Job.State);
    }
}
