using Cauchy.Domain;
using Cauchy.V1;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>
/// The job state machine of jobs.proto, as pure functions: each says where an action takes a job in a given state,
/// or refuses it with FAILED_PRECONDITION. Every place a job's state changes calls one of these.
/// </summary>
public static class JobStateMachine
{
    public static bool IsTerminal(JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    /// <summary>States in which a worker holds the job's lease.</summary>
    public static bool HoldsLease(JobState state) => state is JobState.Running or JobState.Cancelling;

    /// <summary>QUEUED → RUNNING.</summary>
    public static JobState Lease(JobState state, string jobId) => state == JobState.Queued
        ? JobState.Running
        : throw Refused(state, jobId, "leased");

    /// <summary>QUEUED → CANCELLED, RUNNING → CANCELLING; null for CANCELLING and CANCELLED (nothing to do).</summary>
    public static JobState? Cancel(JobState state, string jobId) => state switch
    {
        JobState.Queued => JobState.Cancelled,
        JobState.Running => JobState.Cancelling,
        JobState.Cancelling or JobState.Cancelled => null,
        _ => throw Refused(state, jobId, "cancelled"),
    };

    /// <summary>RUNNING or CANCELLING → SUCCEEDED (the work finished before the worker saw a cancellation).</summary>
    public static JobState Complete(JobState state, string jobId) => HoldsLease(state)
        ? JobState.Succeeded
        : throw Refused(state, jobId, "completed");

    /// <summary>
    /// A failed attempt (FailJob, or lease expiry with <paramref name="retryable"/> true). RUNNING: the failure counts,
    /// and the job is QUEUED again while retryable and failures ≤ max_retries, else FAILED. CANCELLING → CANCELLED,
    /// not counted.
    /// </summary>
    public static (JobState State, bool CountsAsFailure) Fail(JobState state, string jobId, bool retryable, int failureCount, int maxRetries) => state switch
    {
        JobState.Running => (retryable && failureCount + 1 <= maxRetries ? JobState.Queued : JobState.Failed, true),
        JobState.Cancelling => (JobState.Cancelled, false),
        _ => throw Refused(state, jobId, "failed"),
    };

    /// <summary>RUNNING → QUEUED without counting a failure; CANCELLING → CANCELLED.</summary>
    public static JobState Release(JobState state, string jobId) => state switch
    {
        JobState.Running => JobState.Queued,
        JobState.Cancelling => JobState.Cancelled,
        _ => throw Refused(state, jobId, "released"),
    };

    /// <summary>The attempts together ran longer than spec.max_run_duration: RUNNING → FAILED, not retried.</summary>
    public static JobState RunTimeExceeded(JobState state, string jobId) => state == JobState.Running
        ? JobState.Failed
        : throw Refused(state, jobId, "timed out");

    /// <summary>The lease ran out: a retryable failure of the attempt (see <see cref="Fail"/>).</summary>
    public static (JobState State, bool CountsAsFailure) Expire(JobState state, string jobId, int failureCount, int maxRetries) =>
        Fail(state, jobId, retryable: true, failureCount, maxRetries);

    private static DomainException Refused(JobState state, string jobId, string action) =>
        new(DomainErrorKind.FailedPrecondition, $"job '{jobId}' is {Name(state)} and cannot be {action}");

    public static string Name(JobState state) => state switch
    {
        JobState.Queued => "QUEUED",
        JobState.Running => "RUNNING",
        JobState.Succeeded => "SUCCEEDED",
        JobState.Failed => "FAILED",
        JobState.Cancelled => "CANCELLED",
        JobState.Cancelling => "CANCELLING",
        _ => "UNSPECIFIED",
    };
}
