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
    private readonly Jobs.JobsClient _jobs;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _outageGrace;
    private readonly ConcurrentQueue<MetricValue> _metrics = new();
    private readonly ConcurrentQueue<LogLine> _logs = new();

    // Lines whose append failed; the next append sends them first, so an outage does not reorder the job's log.
    private List<LogLine> _unsent = [];
    private readonly CancellationTokenSource _stopped = new();
    private readonly CancellationTokenSource _loopStop = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Lock _gate = new();
    private Checkpoint? _pendingCheckpoint;
    private int _pendingCompletedEpoch;
    private JobProgress _progress = new() { Phase = JobPhase.Preparing };
    private DateTimeOffset _expires;
    private Task? _loop;

    /// <param name="outageGrace">
    /// How long past the lease's expiry heartbeats that cannot reach the orchestrator are still retried (Trainer:OrchestratorOutageGraceSeconds):
    /// the orchestrator does not charge leases for its own downtime, so its verdict after an outage is worth waiting for.
    /// </param>
    public LeaseKeeper(Jobs.JobsClient jobs, LeaseJobResponse lease, ILogger logger, TimeProvider time, TimeSpan outageGrace = default)
    {
        this._outageGrace = outageGrace;
        this._jobs = jobs;
        this._logger = logger;
        this._time = time;
        LeaseId = lease.LeaseId;
        JobId = lease.Job.Id;
        _expires = lease.LeaseExpireTime?.ToDateTimeOffset() ?? time.GetUtcNow().AddSeconds(30);
        _interval = lease.HeartbeatInterval is { } hb && hb.ToTimeSpan() > TimeSpan.Zero ? hb.ToTimeSpan() : TimeSpan.FromSeconds(10);
    }

    public string LeaseId { get; }

    public string JobId { get; }

    /// <summary>Cancelled when the job must stop (cancelled by a user, or the lease lost).</summary>
    public CancellationToken Stopped => _stopped.Token;

    public bool CancelRequested { get; private set; }

    public bool LeaseLost { get; private set; }

    /// <summary>Why the lease was lost, for the log.</summary>
    public string? LostReason { get; private set; }

    public void Start() => _loop = Task.Run(RunAsync);

    public void Report(JobProgress value)
    {
        lock (_gate)
        {
            _progress = value;
        }
    }

    public void Record(MetricValue value) => _metrics.Enqueue(value);

    public void Checkpointed(Checkpoint checkpoint, bool flush = true)
    {
        lock (_gate)
        {
            if (_pendingCheckpoint is null || checkpoint.Step >= _pendingCheckpoint.Step)
            {
                _pendingCheckpoint = checkpoint;
            }
        }

        if (flush)
        {
            Flush();
        }
    }

    public void EpochCompleted(int epoch)
    {
        lock (_gate)
        {
            _pendingCompletedEpoch = epoch;
        }

        Flush();
    }

    public void Log(string text)
    {
        _logs.Enqueue(new LogLine { Time = Timestamp.FromDateTimeOffset(_time.GetUtcNow()), Text = text });
        _logger.LogInformation("job {JobId}: {Text}", JobId, text);
    }

    /// <summary>Sends a heartbeat now instead of at the next interval.</summary>
    public void Flush() => _wake.Release();

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
        _loopStop.Cancel();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _loopStop.Dispose();
        _stopped.Dispose();
        _wake.Dispose();
    }

    private async Task RunAsync()
    {
        CancellationToken token = _loopStop.Token;
        while (!token.IsCancellationRequested && !LeaseLost)
        {
            try
            {
                await _wake.WaitAsync(_interval, token);
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
        while (_metrics.TryDequeue(out MetricValue? m))
        {
            sentMetrics.Add(m);
        }

        Checkpoint? checkpoint;
        int completedEpoch;
        lock (_gate)
        {
            request.Progress = _progress.Clone();
            checkpoint = _pendingCheckpoint;
            completedEpoch = _pendingCompletedEpoch;
            (_pendingCheckpoint, _pendingCompletedEpoch) = (null, 0);
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
                HeartbeatResponse response = await _jobs.HeartbeatAsync(request, deadline: DateTime.UtcNow.AddSeconds(Math.Max(5, _interval.TotalSeconds * 2)), cancellationToken: token);
                _expires = response.LeaseExpireTime?.ToDateTimeOffset() ?? _expires;
                if (response.CancelRequested && !CancelRequested)
                {
                    CancelRequested = true;
                    _logger.LogInformation("job {JobId}: cancellation requested", JobId);
                    _stopped.Cancel();
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
                if (_time.GetUtcNow() >= _expires + _outageGrace)
                {
                    Lose($"no heartbeat got through before the lease expired{(_outageGrace > TimeSpan.Zero ? $" and {_outageGrace.TotalSeconds:F0} s after" : "")} (last error: {e.Message})");
                    return;
                }

                _logger.LogWarning("job {JobId}: heartbeat attempt {Attempt} failed, retrying: {Error}", JobId, attempt, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 200 * attempt)), _time, token);
            }
        }

        await SendLogsAsync(token);
    }

    private async Task SendLogsAsync(CancellationToken token)
    {
        if (_logs.IsEmpty && _unsent.Count == 0)
        {
            return;
        }

        List<LogLine> lines = _unsent;
        _unsent = [];
        while (lines.Count < 1000 && _logs.TryDequeue(out LogLine? line))
        {
            lines.Add(line);
        }

        try
        {
            using var call = _jobs.AppendLogs(deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: token);
            var message = new AppendLogsRequest { LeaseId = LeaseId };
            message.Lines.AddRange(lines);
            await call.RequestStream.WriteAsync(message, token);
            await call.RequestStream.CompleteAsync();
            await call;
        }
        catch (RpcException e) when (e.StatusCode is not (StatusCode.FailedPrecondition or StatusCode.NotFound))
        {
            // Logs are best effort beside the heartbeat: keep the lines, in order, for the next try.
            _unsent = lines;

            _logger.LogWarning("job {JobId}: appending {Count} log lines failed, will retry: {Error}", JobId, lines.Count, e.Message);
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
        _logger.LogWarning("job {JobId}: lease {LeaseId} lost: {Reason}", JobId, LeaseId, reason);
        _stopped.Cancel();
    }
}
