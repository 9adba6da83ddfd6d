using System.Collections.Concurrent;
using System.Globalization;
using Cauchy.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cauchy.Load.Bench;

/// <summary>
/// The mix of calls, each on its own steady schedule: list and get calls (the CLI's and dashboards' reads) at the
/// configured rate, a tiny training job every 10 s, a small dataset import every 20 s, a job watch every 5 s, a log
/// stream every 3 s and an evaluation every 5 s. Calls are started on schedule whether or not earlier ones have
/// answered (an open loop, as independent users would), up to 64 in flight.
/// </summary>
public sealed class LoadMix(ScriptedPlatform platform, LatencyBook book, string run)
{
    private readonly GrpcChannel _datasets = Authenticated(platform.Address("datasets"), platform.AdminToken);
    private readonly GrpcChannel _orchestrator = Authenticated(platform.Address("orchestrator"), platform.AdminToken);
    private readonly GrpcChannel _metrics = Authenticated(platform.Address("metrics"), platform.AdminToken);
    private readonly GrpcChannel _registry = Authenticated(platform.Address("registry"), platform.AdminToken);
    private readonly ConcurrentQueue<string> _recentJobs = new();
    private readonly SemaphoreSlim _inFlight = new(64);
    private string _baseVersion = "";
    private int _counter;

    private V1.Datasets.DatasetsClient Datasets => new(_datasets);

    /// <summary>A channel whose every call carries the token, as the CLI sends it.</summary>
    private static GrpcChannel Authenticated(string address, string token) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("authorization", "Bearer " + token);
            return Task.CompletedTask;
        })),
        UnsafeUseInsecureChannelCallCredentials = true,
    });

    private Jobs.JobsClient Jobs => new(_orchestrator);

    private V1.Metrics.MetricsClient Metrics => new(_metrics);

    private Models.ModelsClient Models => new(_registry);

    private string BaseDataset => $"load-base-{run}";

    /// <summary>The dataset the tiny jobs train on, imported once before the load starts.</summary>
    public async Task PrepareAsync()
    {
        await Datasets.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = BaseDataset, TaskType = TaskType.Classification }, deadline: Deadline(60));
        _baseVersion = (await ImportAsync(BaseDataset, 300, 60)).VersionId;
    }

    /// <summary>Runs every schedule until <paramref name="stop"/> fires, then waits for the calls still in flight.</summary>
    public async Task RunAsync(int readsPerSecond, CancellationToken stop)
    {
        var pending = new ConcurrentDictionary<Task, byte>();
        Task Every(TimeSpan interval, Func<Task> call) => Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval);
            try
            {
                do
                {
                    if (!await _inFlight.WaitAsync(0, CancellationToken.None))
                    {
                        book.Errors.AddOrUpdate("client: 64 calls already in flight, call skipped", 1, (_, n) => n + 1);
                        continue;
                    }

                    Task task = Task.Run(async () =>
                    {
                        try
                        {
                            await call();
                        }
                        finally
                        {
                            _inFlight.Release();
                        }
                    });
                    pending[task] = 0;
                    _ = task.ContinueWith(t => pending.TryRemove(t, out _), TaskScheduler.Default);
                }
                while (await timer.WaitForNextTickAsync(stop));
            }
            catch (OperationCanceledException)
            {
            }
        });

        Task[] schedules =
        [
            Every(TimeSpan.FromSeconds(1.0 / readsPerSecond), ReadAsync),
            Every(TimeSpan.FromSeconds(10), SubmitAsync),
            Every(TimeSpan.FromSeconds(20), () => book.TimeAsync("ImportDatasetVersion", () => NewImportAsync())),
            Every(TimeSpan.FromSeconds(5), WatchAsync),
            Every(TimeSpan.FromSeconds(3), StreamLogsAsync),
            Every(TimeSpan.FromSeconds(5), EvaluateAsync),
        ];
        await Task.WhenAll(schedules);
        await Task.WhenAll(pending.Keys);
    }

    private static DateTime Deadline(int seconds) => DateTime.UtcNow.AddSeconds(seconds);

    private string? RecentJob() => _recentJobs.ToArray() is { Length: > 0 } jobs ? jobs[Random.Shared.Next(jobs.Length)] : null;

    private Task ReadAsync()
    {
        string? job = RecentJob();
        return (Random.Shared.Next(7), job) switch
        {
            (0, not null) => book.TimeAsync("GetJob", async () => await Jobs.GetJobAsync(new GetJobRequest { JobId = job }, deadline: Deadline(30))),
            (1, _) => book.TimeAsync("ListDatasets", async () => await Datasets.ListDatasetsAsync(new ListDatasetsRequest { PageSize = 50 }, deadline: Deadline(30))),
            (2, _) => book.TimeAsync("GetDataset", async () => await Datasets.GetDatasetAsync(new GetDatasetRequest { DatasetId = BaseDataset }, deadline: Deadline(30))),
            (3, _) => book.TimeAsync("ListModels", async () => await Models.ListModelsAsync(new ListModelsRequest { PageSize = 50 }, deadline: Deadline(30))),
            (4, _) => book.TimeAsync("ListEvaluations", async () => await Metrics.ListEvaluationsAsync(new ListEvaluationsRequest { PageSize = 50 }, deadline: Deadline(30))),
            (5, _) => book.TimeAsync("GetDatasetVersion", async () => await Datasets.GetDatasetVersionAsync(new GetDatasetVersionRequest { DatasetId = BaseDataset, VersionId = _baseVersion }, deadline: Deadline(30))),
            _ => book.TimeAsync("ListJobs", async () => await Jobs.ListJobsAsync(new ListJobsRequest { PageSize = 50 }, deadline: Deadline(30))),
        };
    }

    private Task SubmitAsync() => book.TimeAsync("SubmitJob", async () =>
    {
        int n = Interlocked.Increment(ref _counter);
        var hypes = new HypesDocument
        {
            Format = HypesFormat.Yaml,
            Text = string.Create(CultureInfo.InvariantCulture, $"""
                display_name: load {run} {n}
                task_type: classification
                model: {"{"} architecture: small_cnn {"}"}
                dataset: {"{"} dataset_id: {BaseDataset}, version_id: "{_baseVersion}" {"}"}
                hyperparameters: {"{"} epochs: 1, batch_size: 16, max_steps: 3, optimizer: {"{"} kind: sgd, learning_rate: 0.01 {"}"} {"}"}
                output_model_name: load-{run}
                labels: {"{"} bench: load {"}"}
                """),
        };
        SubmitJobResponse response = await Jobs.SubmitJobAsync(new SubmitJobRequest { Hypes = hypes, IdempotencyKey = $"load-{run}-{n}" }, deadline: Deadline(30));
        _recentJobs.Enqueue(response.Job.Id);
        while (_recentJobs.Count > 20)
        {
            _recentJobs.TryDequeue(out _);
        }
    });

    private async Task NewImportAsync()
    {
        string datasetId = $"load-{run}-{Interlocked.Increment(ref _counter)}";
        await Datasets.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = datasetId, TaskType = TaskType.Classification }, deadline: Deadline(30));
        await ImportAsync(datasetId, 60, 20);
    }

    private async Task<DatasetVersion> ImportAsync(string datasetId, int train, int test)
    {
        byte[] archive = SyntheticIdx.Tar(train, test, seed: datasetId.Length + train);
        using var call = Datasets.ImportDatasetVersion(deadline: Deadline(120));
        await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest
        {
            Header = new ImportDatasetVersionHeader
            {
                DatasetId = datasetId,
                Format = DatasetFormat.Idx,
                ArchiveKind = ArchiveKind.Tar,
                Split = new SplitSpec { KeepSourceSplits = true, TrainFraction = 1 },
                Upload = new ArchiveUpload { SizeBytes = archive.Length },
            },
        });
        await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest { Chunk = ByteString.CopyFrom(archive) });
        await call.RequestStream.CompleteAsync();
        return (await call.ResponseAsync).Version;
    }

    private Task WatchAsync() => RecentJob() is not { } job ? Task.CompletedTask : book.TimeAsync("WatchJob", async () =>
    {
        using var call = Jobs.WatchJob(new WatchJobRequest { JobId = job }, deadline: Deadline(5));
        await foreach (WatchJobResponse unused in call.ResponseStream.ReadAllAsync())
        {
        }
    }, e => e.StatusCode == StatusCode.DeadlineExceeded);

    private Task StreamLogsAsync() => RecentJob() is not { } job ? Task.CompletedTask : book.TimeAsync("StreamLogs", async () =>
    {
        using var call = Jobs.StreamLogs(new StreamLogsRequest { JobId = job }, deadline: Deadline(30));
        await foreach (StreamLogsResponse unused in call.ResponseStream.ReadAllAsync())
        {
        }
    });

    private Task EvaluateAsync() => book.TimeAsync("Evaluate", async () =>
    {
        var header = new EvaluationHeader
        {
            Kind = EvaluationKind.Classification,
            JobId = $"load-eval-{run}-{Interlocked.Increment(ref _counter)}",
            ModelVersion = new ModelVersionRef { ModelName = $"load-{run}", Version = 1 },
            Split = Split.Test,
            Epoch = 1,
        };
        header.ClassNames.AddRange(Enumerable.Range(0, 10).Select(c => $"class{c}"));
        var predictions = new ClassificationPredictions();
        for (int i = 0; i < 200; i++)
        {
            predictions.Labels.Add(i % 10);
            predictions.Scores.Add(Enumerable.Range(0, 10).Select(c => c == (i * 7) % 10 ? 1f : 0f));
        }

        using var call = Metrics.Evaluate(deadline: Deadline(30));
        await call.RequestStream.WriteAsync(new EvaluateRequest { Header = header });
        await call.RequestStream.WriteAsync(new EvaluateRequest { Batch = new PredictionBatch { Classification = predictions } });
        await call.RequestStream.CompleteAsync();
        await call.ResponseAsync;
    });
}
