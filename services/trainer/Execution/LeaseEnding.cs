using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Cauchy.Trainer.Execution;

/// <summary>
/// The last word of an attempt to the orchestrator: complete (then the checkpoints are deleted), fail, cancel or
/// release; each retried while the orchestrator is unreachable, none sent when the lease was lost.
/// </summary>
public sealed class LeaseEnding(Jobs.JobsClient jobs, CheckpointStore checkpoints, ILogger<LeaseEnding> logger)
{
    /// <summary>Completes the job with its registered version and its test metrics.</summary>
    public async Task CompleteAsync(JobAttempt attempt, RegisteredVersion registered, long step, IEnumerable<KeyValuePair<string, double>> testMetrics, CancellationToken ct)
    {
        var request = new CompleteJobRequest { LeaseId = attempt.Lease.LeaseId, ResultModelVersion = registered.Reference };
        request.Metrics.AddRange(testMetrics.Select(m => new MetricValue
        {
            Name = m.Key,
            Value = m.Value,
            Step = step,
            Epoch = attempt.Plan.Epochs,
            Time = Timestamp.FromDateTimeOffset(attempt.Time.GetUtcNow()),
        }));
        attempt.Log("training finished");
        LeaseKeeper keeper = attempt.Keeper;
        await keeper.FinalFlushAsync(ct);
        if (keeper.LeaseLost)
        {
            attempt.Log($"the lease was lost before the job could complete: {keeper.LostReason}");
            return;
        }

        await EndLeaseAsync(attempt, () => jobs.CompleteJobAsync(request, cancellationToken: CancellationToken.None).ResponseAsync, "complete");
        await checkpoints.DeleteAllAsync(attempt.Job.Id);
    }

    /// <summary>Training stopped between steps: a lost lease (nothing to say), a cancellation, or a drain or shutdown (release).</summary>
    public async Task StoppedAsync(JobAttempt attempt, bool shuttingDown)
    {
        LeaseKeeper keeper = attempt.Keeper;
        string leaseId = attempt.Lease.LeaseId;
        if (keeper.LeaseLost)
        {
            logger.LogWarning("job {JobId}: stopped; its work is discarded because the lease was lost ({Reason})", attempt.Job.Id, keeper.LostReason);
        }
        else if (keeper.CancelRequested)
        {
            attempt.Log("stopped: the job was cancelled");
            await keeper.FinalFlushAsync(CancellationToken.None);
            await EndLeaseAsync(attempt, () => jobs.FailJobAsync(new FailJobRequest { LeaseId = leaseId, ErrorMessage = "cancelled", Retryable = false }).ResponseAsync, "cancel");
        }
        else
        {
            string reason = shuttingDown ? "the worker is shutting down" : "the worker is draining";
            attempt.Log($"released: {reason}{(attempt.ReleaseCheckpointWritten ? "; a checkpoint of the current step was written for whoever resumes it" : "")}");
            await keeper.FinalFlushAsync(CancellationToken.None);
            await EndLeaseAsync(attempt, () => jobs.ReleaseJobAsync(new ReleaseJobRequest { LeaseId = leaseId, Reason = reason }).ResponseAsync, "release");
        }
    }

    public async Task FailAsync(JobAttempt attempt, string message, bool retryable)
    {
        logger.LogWarning("job {JobId}: attempt {Attempt} failed ({Retryable}): {Message}", attempt.Job.Id, attempt.Job.Attempt, retryable ? "retryable" : "not retryable", message);
        if (attempt.Keeper.LeaseLost)
        {
            return;
        }

        attempt.Log($"failed: {message}");
        await attempt.Keeper.FinalFlushAsync(CancellationToken.None);
        await EndLeaseAsync(attempt, () => jobs.FailJobAsync(new FailJobRequest { LeaseId = attempt.Lease.LeaseId, ErrorMessage = message, Retryable = retryable }).ResponseAsync, "fail");
    }

    /// <summary>Ends the lease, retrying while the orchestrator is unreachable; a lease that already ended is left alone.</summary>
    private async Task EndLeaseAsync<T>(JobAttempt attempt, Func<Task<T>> call, string what)
    {
        for (int n = 1; ; n++)
        {
            try
            {
                await call();
                return;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.FailedPrecondition or StatusCode.NotFound)
            {
                logger.LogWarning("job {JobId}: could not {What} the job, the lease has ended: {Detail}", attempt.Job.Id, what, e.Status.Detail);
                return;
            }
            catch (Exception e) when (n < 30 && e is RpcException or Polly.CircuitBreaker.BrokenCircuitException)
            {
                logger.LogWarning("job {JobId}: {What} attempt {Attempt} failed, retrying: {Error}", attempt.Job.Id, what, n, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, n)), attempt.Time);
            }
        }
    }
}
