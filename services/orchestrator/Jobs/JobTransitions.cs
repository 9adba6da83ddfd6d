using Cauchy.Orchestrator.Data;
using Cauchy.V1;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>
/// The transitions that end an attempt without its worker (an expired lease, the run-time limit), shared by the lease
/// calls and the reaper so both apply them the same way.
/// </summary>
internal static class JobTransitions
{
    /// <summary>Applies the expiry transition when the job's lease has run out; false when it has not.</summary>
    internal static bool ExpireIfDue(OrchestratorDbContext db, JobEntity job, DateTime now)
    {
        if (!JobStateMachine.HoldsLease((JobState)job.State) || job.LeaseExpiresAt is not { } expires || expires > now)
        {
            return false;
        }

        var (next, counts) = JobStateMachine.Expire((JobState)job.State, job.Id, job.FailureCount, job.MaxRetries);
        var why = $"lease expired: worker '{job.WorkerId}' sent no heartbeat since {expires:O}";
        EndAttempt(db, job, next, counts, counts ? why : null, why, now);
        return true;
    }

    /// <summary>Fails a RUNNING job whose attempts together ran longer than spec.max_run_duration; false otherwise.</summary>
    internal static bool FailIfOverRunTime(OrchestratorDbContext db, JobEntity job, DateTime now)
    {
        if ((JobState)job.State != JobState.Running || job.MaxRunTicks <= 0 || RunTicks(job.RunTicks, job.AttemptStartedAt, now) <= job.MaxRunTicks)
        {
            return false;
        }

        var next = JobStateMachine.RunTimeExceeded((JobState)job.State, job.Id);
        var limit = TimeSpan.FromTicks(job.MaxRunTicks);
        var error = $"max_run_duration exceeded: the attempts ran longer than {limit} together";
        EndAttempt(db, job, next, countsAsFailure: false, error, $"stopped on worker '{job.WorkerId}'", now);
        return true;
    }

    internal static long RunTicks(long ended, DateTime? attemptStartedAt, DateTime now) =>
        ended + (attemptStartedAt is { } started ? Math.Max(0, (now - started).Ticks) : 0);

    internal static void EndAttempt(OrchestratorDbContext db, JobEntity job, JobState next, bool countsAsFailure, string? error, string reason, DateTime now)
    {
        if (countsAsFailure)
        {
            job.FailureCount++;
        }

        if (error is not null)
        {
            job.ErrorMessage = error;
        }

        var detail = error is not null && error != reason ? $"{reason}: {error}" : reason;
        var outcome = next switch
        {
            JobState.Queued => countsAsFailure ? $"requeued (failure {job.FailureCount} of at most {job.MaxRetries} retried)" : "requeued",
            JobState.Failed => countsAsFailure && job.FailureCount > job.MaxRetries ? $"failed: no retry left after {job.FailureCount} failures" : "failed",
            _ => JobStateMachine.Name(next).ToLowerInvariant(),
        };
        JobEntities.AppendLog(db, job, now, JobEntities.OrchestratorWorkerId, $"{detail}; {outcome}");
        JobEntities.ChangeState(db, job, next, detail, now);
    }
}
