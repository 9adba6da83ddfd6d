using System.Collections.Concurrent;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Cauchy.Trainer.Execution;

/// <summary>
/// Keeps one lease alive: a heartbeat every heartbeat_interval (and at once after a checkpoint or an epoch) carrying
/// the progress, the metric points, the newest checkpoint and the log lines gathered since the last one. A heartbeat
/// that fails for a transient reason (the orchestrator restarting) is retried until the lease would have expired;
/// points not yet acknowledged are sent again (the orchestrator records them idempotently per name and step).
/// <see cref="Stopped"/> fires when the job must stop: the user cancelled it (<see cref="CancelRequested"/>) or the
/// lease is gone (<see cref="LeaseLost"/>; another worker may hold the job now, so the work is discarded).
/// </summary>
public sealed class LeaseKeeper : IAsyncDisposable
{
    private readonly Jobs.JobsClient jobs;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly TimeSpan interval;
    private readonly ConcurrentQueue<MetricValue> metrics = new();
    private readonly ConcurrentQueue<LogLine> logs = new();

    // Lines whose append failed; the next append sends them first, so an outage does not reorder the job's log.
    private List<LogLine> unsent = [];
    private readonly CancellationTokenSource stopped = new();
    private readonly CancellationTokenSource loopStop = new();
    private readonly SemaphoreSlim wake = new(0);
    private readonly Lock gate = new();
    private Checkpoint? pendingCheckpoint;
    private int pendingCompletedEpoch;
    private JobProgress progress = new() { Phase = JobPhase.Preparing };
    private DateTimeOffset expires;
    private Task? loop;

    public LeaseKeeper(Jobs.JobsClient jobs, LeaseJobResponse lease, ILogger logger, TimeProvider time)
    {
        this.jobs = jobs;
        this.logger = logger;
        this.time = time;
        LeaseId = lease.LeaseId;
        JobId = lease.Job.Id;
        expires = lease.LeaseExpireTime?.ToDateTimeOffset() ?? time.GetUtcNow().AddSeconds(30);
        interval = lease.HeartbeatInterval is { } hb && hb.ToTimeSpan() > TimeSpan.Zero ? hb.ToTimeSpan() : TimeSpan.FromSeconds(10);
    }

    public string LeaseId { get; }

    public string JobId { get; }

    /// <summary>Cancelled when the job must stop (cancelled by a user, or the lease lost).</summary>
    public CancellationToken Stopped => stopped.Token;

    public bool CancelRequested { get; private set; }

    public bool LeaseLost { get; private set; }

    /// <summary>Why the lease was lost, for the log.</summary>
    public string? LostReason { get; private set; }

    public void Start() => loop = Task.Run(RunAsync);

    public void Report(JobProgress value)
    {
        lock (gate)
        {
            progress = value;
        }
    }

    public void Record(MetricValue value) => metrics.Enqueue(value);

    public void Checkpointed(Checkpoint checkpoint, bool flush = true)
    {
        lock (gate)
        {
            if (pendingCheckpoint is null || checkpoint.Step >= pendingCheckpoint.Step)
            {
                pendingCheckpoint = checkpoint;
            }
        }

        if (flush)
        {
            Flush();
        }
    }

    public void EpochCompleted(int epoch)
    {
        lock (gate)
        {
            pendingCompletedEpoch = epoch;
        }

        Flush();
    }

    public void Log(string text)
    {
        logs.Enqueue(new LogLine { Time = Timestamp.FromDateTimeOffset(time.GetUtcNow()), Text = text });
        logger.LogInformation("job {JobId}: {Text}", JobId, text);
    }

    /// <summary>Sends a heartbeat now instead of at the next interval.</summary>
    public void Flush() => wake.Release();

    /// <summary>Sends everything still pending (the last points, the last log lines) with one more heartbeat.</summary>
    public async Task FinalFlushAsync(CancellationToken cancellationToken)
    {
        if (!LeaseLost)
        {
            await BeatAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        loopStop.Cancel();
        if (loop is not null)
        {
            try
            {
                await loop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        loopStop.Dispose();
        stopped.Dispose();
        wake.Dispose();
    }

    private async Task RunAsync()
    {
        CancellationToken token = loopStop.Token;
        while (!token.IsCancellationRequested && !LeaseLost)
        {
            try
            {
                await wake.WaitAsync(interval, token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await BeatAsync(token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>One heartbeat, retried while the lease may still be alive.</summary>
    private async Task BeatAsync(CancellationToken token)
    {
        var request = new HeartbeatRequest { LeaseId = LeaseId };
        var sentMetrics = new List<MetricValue>();
        while (metrics.TryDequeue(out MetricValue? m))
        {
            sentMetrics.Add(m);
        }

        Checkpoint? checkpoint;
        int completedEpoch;
        lock (gate)
        {
            request.Progress = progress.Clone();
            checkpoint = pendingCheckpoint;
            completedEpoch = pendingCompletedEpoch;
            (pendingCheckpoint, pendingCompletedEpoch) = (null, 0);
        }

        request.Metrics.AddRange(sentMetrics);
        if (checkpoint is not null)
        {
            request.Checkpoint = checkpoint;
        }

        request.CompletedEpoch = completedEpoch;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                HeartbeatResponse response = await jobs.HeartbeatAsync(request, deadline: DateTime.UtcNow.AddSeconds(Math.Max(5, interval.TotalSeconds * 2)), cancellationToken: token);
                expires = response.LeaseExpireTime?.ToDateTimeOffset() ?? expires;
                if (response.CancelRequested && !CancelRequested)
                {
                    CancelRequested = true;
                    logger.LogInformation("job {JobId}: cancellation requested", JobId);
                    stopped.Cancel();
                }

                break;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.FailedPrecondition or StatusCode.NotFound)
            {
                Lose($"the orchestrator ended the lease: {e.Status.Detail}");
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                if (time.GetUtcNow() >= expires)
                {
                    Lose($"no heartbeat got through before the lease expired (last error: {e.Message})");
                    return;
                }

                logger.LogWarning("job {JobId}: heartbeat attempt {Attempt} failed, retrying: {Error}", JobId, attempt, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 200 * attempt)), time, token);
            }
        }

        await SendLogsAsync(token);
    }

    private async Task SendLogsAsync(CancellationToken token)
    {
        if (logs.IsEmpty && unsent.Count == 0)
        {
            return;
        }

        List<LogLine> lines = unsent;
        unsent = [];
        while (lines.Count < 1000 && logs.TryDequeue(out LogLine? line))
        {
            lines.Add(line);
        }

        try
        {
            using var call = jobs.AppendLogs(deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: token);
            var message = new AppendLogsRequest { LeaseId = LeaseId };
            message.Lines.AddRange(lines);
            await call.RequestStream.WriteAsync(message, token);
            await call.RequestStream.CompleteAsync();
            await call;
        }
        catch (RpcException e) when (e.StatusCode is not (StatusCode.FailedPrecondition or StatusCode.NotFound))
        {
            // Logs are best effort beside the heartbeat: keep the lines, in order, for the next try.
            unsent = lines;

            logger.LogWarning("job {JobId}: appending {Count} log lines failed, will retry: {Error}", JobId, lines.Count, e.Message);
        }
        catch (RpcException)
        {
            // The lease ended; the next heartbeat notices and stops the job.
        }
    }

    private void Lose(string reason)
    {
        LeaseLost = true;
        LostReason = reason;
        logger.LogWarning("job {JobId}: lease {LeaseId} lost: {Reason}", JobId, LeaseId, reason);
        stopped.Cancel();
    }
}
