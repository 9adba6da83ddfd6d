using Cauchy.Domain;
using Cauchy.Orchestrator.Data;
using Cauchy.V1;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>CancelJob: stops a job by the state machine, directly when queued, through its worker when running.</summary>
public sealed class JobCancellation(JobStore store)
{
    /// <summary>QUEUED → CANCELLED, RUNNING → CANCELLING; CANCELLING and CANCELLED stay; SUCCEEDED and FAILED refuse.</summary>
    public Task<Job> CancelAsync(string jobId, string reason, CancellationToken cancellationToken) =>
        CancelAsync(jobId, reason, caller: "", mayCancelAny: true, cancellationToken);

    /// <summary>
    /// Cancels on behalf of <paramref name="caller"/>: unless <paramref name="mayCancelAny"/>, only a job the caller
    /// submitted (PERMISSION_DENIED otherwise, before anything changes).
    /// </summary>
    public async Task<Job> CancelAsync(string jobId, string reason, string caller, bool mayCancelAny, CancellationToken cancellationToken)
    {
        JobStore.RequireId("job_id", jobId);
        TextLimits.Check(reason, TextLimits.Note, "reason");
        var job = await store.TransactAsync(async (db, ct) =>
        {
            var record = await db.Jobs.SingleOrDefaultAsync(j => j.Id == jobId, ct) ?? throw JobErrors.JobNotFound(jobId);
            if (!mayCancelAny && !string.Equals(record.Owner, caller, StringComparison.Ordinal))
            {
                throw DomainException.PermissionDenied($"job '{jobId}' was submitted by another principal; a researcher may cancel only its own jobs");
            }

            if (JobStateMachine.Cancel((JobState)record.State, record.Id) is not { } next)
            {
                return record;
            }

            var now = store.Now;
            var why = reason.Length > 0 ? $"cancelled: {reason}" : "cancelled";
            JobEntities.AppendLog(db, record, now, JobEntities.OrchestratorWorkerId,
                next == JobState.Cancelling ? $"{why}; waiting for worker '{record.WorkerId}' to stop" : why);
            JobEntities.ChangeState(db, record, next, why, now);
            await JobStore.SaveTransitionAsync(db, ct);
            return record;
        }, cancellationToken);
        store.Signals.PulseJobs();
        return JobEntities.ToProto(job);
    }
}
