using System.Collections.Concurrent;
using Cauchy.V1;
using Grpc.Core;

namespace Cauchy.Reliability.Tests;

/// <summary>
/// A steady mixed load in the background, the way users and the CLI use the platform: submits of tiny jobs (each
/// retried with its idempotency key until it is accepted), imports of small archives, watches, log streams,
/// evaluations and list calls. It records what was acknowledged, so that afterwards the scenario can check that each
/// acknowledged thing exists exactly once; calls refused while a service is down are counted, not failures.
/// </summary>
public sealed class MixedLoad(ReliabilityPlatform platform, string run) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _drivers = [];
    private int _submits;
    private int _imports;
    private int _evaluations;
    private int _calls;

    /// <summary>Idempotency key → the job id its submission was acknowledged with.</summary>
    public ConcurrentDictionary<string, string> AcceptedJobs { get; } = new();

    /// <summary>Dataset id → the version its import was acknowledged with.</summary>
    public ConcurrentDictionary<string, string> ImportedVersions { get; } = new();

    /// <summary>The evaluation job id → the evaluation id that was acknowledged.</summary>
    public ConcurrentDictionary<string, string> Evaluations { get; } = new();

    /// <summary>Calls made, and calls refused or broken, by "rpc status".</summary>
    public ConcurrentDictionary<string, int> Errors { get; } = new();

    public int Calls => _calls;

    /// <summary>Log streams that saw a sequence out of order or twice.</summary>
    public ConcurrentQueue<string> Violations { get; } = new();

    public string Label => run;

    public void Start()
    {
        _drivers.Add(Task.Run(() => EveryAsync(TimeSpan.FromSeconds(2), SubmitAsync)));
        _drivers.Add(Task.Run(() => EveryAsync(TimeSpan.FromSeconds(8), ImportAsync)));
        _drivers.Add(Task.Run(() => EveryAsync(TimeSpan.FromSeconds(2), WatchAsync)));
        _drivers.Add(Task.Run(() => EveryAsync(TimeSpan.FromSeconds(2), StreamLogsAsync)));
        _drivers.Add(Task.Run(() => EveryAsync(TimeSpan.FromSeconds(4), EvaluateAsync)));
        _drivers.Add(Task.Run(() => EveryAsync(TimeSpan.FromSeconds(1), ListAsync)));
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_drivers);
    }

    public string Describe() =>
        $"{_calls} calls; {AcceptedJobs.Count} jobs, {ImportedVersions.Count} imports, {Evaluations.Count} evaluations acknowledged; errors: " +
        string.Join(", ", Errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} x{e.Value}"));

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task EveryAsync(TimeSpan interval, Func<CancellationToken, Task> action)
    {
        CancellationToken token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await action(token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await Task.Delay(interval, token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Runs one call; a refusal or a broken connection is counted under the RPC's name and its status.</summary>
    private async Task<T?> CallAsync<T>(string rpc, Func<Task<T>> call)
        where T : class
    {
        Interlocked.Increment(ref _calls);
        try
        {
            return await call();
        }
        catch (RpcException e)
        {
            // A call cut short because the load is stopping is no refusal.
            if (!(_stop.IsCancellationRequested && e.StatusCode == StatusCode.Cancelled))
            {
                Errors.AddOrUpdate($"{rpc} {e.StatusCode}", 1, (_, n) => n + 1);
            }

            return null;
        }
    }

    private async Task SubmitAsync(CancellationToken token)
    {
        int n = Interlocked.Increment(ref _submits);
        string key = $"{run}-{n}";
        HypesDocument hypes = Training.Hypes(platform, $"load {key}", $"load-{run}", epochs: 1, maxSteps: 4, checkpointEverySteps: 2,
            labels: $", load: {run}, key: \"{n}\"", maxRetries: 10);

        // Retried with the same key until acknowledged (a submit that reached the database before the answer was lost
        // is answered with the same job), for at most two minutes.
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!token.IsCancellationRequested && DateTime.UtcNow < deadline)
        {
            SubmitJobResponse? response = await CallAsync("SubmitJob", async () =>
                await platform.Jobs.SubmitJobAsync(new SubmitJobRequest { Hypes = hypes, IdempotencyKey = key }, ReliabilityPlatform.Deadline(30)));
            if (response is not null)
            {
                AcceptedJobs[key] = response.Job.Id;
                return;
            }

            await Task.Delay(500, token);
        }
    }

    private async Task ImportAsync(CancellationToken token)
    {
        int n = Interlocked.Increment(ref _imports);
        string datasetId = $"load-{run}-{n}";
        DatasetVersion? version = await CallAsync("ImportDatasetVersion", async () => await platform.ImportAsync(datasetId, 60, 20, TimeSpan.FromSeconds(60)));
        if (version is not null)
        {
            ImportedVersions[datasetId] = version.VersionId;
        }
    }

    private async Task WatchAsync(CancellationToken token)
    {
        if (RandomJob() is not { } jobId)
        {
            return;
        }

        await CallAsync("WatchJob", async () =>
        {
            using var call = platform.Jobs.WatchJob(new WatchJobRequest { JobId = jobId }, ReliabilityPlatform.Deadline(3));
            try
            {
                await foreach (WatchJobResponse unused in call.ResponseStream.ReadAllAsync(token))
                {
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
            {
                // A watch of a running job ends at its deadline.
            }

            return "";
        });
    }

    private async Task StreamLogsAsync(CancellationToken token)
    {
        if (RandomJob() is not { } jobId)
        {
            return;
        }

        await CallAsync("StreamLogs", async () =>
        {
            using var call = platform.Jobs.StreamLogs(new StreamLogsRequest { JobId = jobId }, ReliabilityPlatform.Deadline(10));
            long previous = 0;
            await foreach (StreamLogsResponse response in call.ResponseStream.ReadAllAsync(token))
            {
                foreach (LogLine line in response.Lines)
                {
                    if (line.Sequence != previous + 1)
                    {
                        Violations.Enqueue($"job {jobId}: log line {line.Sequence} after {previous}");
                    }

                    previous = line.Sequence;
                }
            }

            return "";
        });
    }

    private async Task EvaluateAsync(CancellationToken token)
    {
        int n = Interlocked.Increment(ref _evaluations);
        string jobId = $"load-eval-{run}-{n}";
        var header = new EvaluationHeader
        {
            Kind = EvaluationKind.Classification,
            JobId = jobId,
            ModelVersion = new ModelVersionRef { ModelName = $"load-{run}", Version = 1 },
            Split = Split.Test,
            Epoch = 1,
            Classification = new ClassificationOptions { TopK = 2 },
        };
        header.ClassNames.AddRange(["a", "b", "c"]);
        var predictions = new ClassificationPredictions();
        for (int i = 0; i < 30; i++)
        {
            predictions.Labels.Add(i % 3);
            predictions.Scores.Add([i % 3 == 0 ? 1f : 0f, i % 3 == 1 ? 1f : 0f, i % 3 == 2 ? 1f : 0f]);
        }

        EvaluateResponse? response = await CallAsync("Evaluate", async () =>
        {
            using var call = platform.MetricsClient.Evaluate(ReliabilityPlatform.Deadline(30));
            await call.RequestStream.WriteAsync(new EvaluateRequest { Header = header }, token);
            await call.RequestStream.WriteAsync(new EvaluateRequest { Batch = new PredictionBatch { Classification = predictions } }, token);
            await call.RequestStream.CompleteAsync();
            return await call.ResponseAsync;
        });
        if (response is not null)
        {
            Evaluations[jobId] = response.Evaluation.Id;
        }
    }

    private async Task ListAsync(CancellationToken token)
    {
        await CallAsync("ListJobs", async () => await platform.Jobs.ListJobsAsync(new ListJobsRequest { PageSize = 20 }, ReliabilityPlatform.Deadline(10)));
        await CallAsync("ListDatasets", async () => await platform.DatasetsClient.ListDatasetsAsync(new ListDatasetsRequest { PageSize = 20 }, ReliabilityPlatform.Deadline(10)));
        await CallAsync("ListModels", async () => await platform.Models.ListModelsAsync(new ListModelsRequest { PageSize = 20 }, ReliabilityPlatform.Deadline(10)));
        await CallAsync("ListEvaluations", async () => await platform.MetricsClient.ListEvaluationsAsync(new ListEvaluationsRequest { PageSize = 20 }, ReliabilityPlatform.Deadline(10)));
    }

    private string? RandomJob()
    {
        string[] ids = [.. AcceptedJobs.Values];
        return ids.Length == 0 ? null : ids[Random.Shared.Next(ids.Length)];
    }
}
