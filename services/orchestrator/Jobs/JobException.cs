namespace Cauchy.Orchestrator.Jobs;

/// <summary>Why a job request cannot be done; the gRPC layer turns each kind into its status code.</summary>
public enum JobErrorKind
{
    InvalidArgument,
    NotFound,
    AlreadyExists,
    FailedPrecondition,
}

/// <summary>A request the job domain refuses, with a sentence a user can act on (naming the field for INVALID_ARGUMENT).</summary>
public sealed class JobException(JobErrorKind kind, string message) : Exception(message)
{
    public JobErrorKind Kind { get; } = kind;

    public static JobException InvalidArgument(string field, string problem) => new(JobErrorKind.InvalidArgument, $"{field}: {problem}");

    public static JobException JobNotFound(string jobId) => new(JobErrorKind.NotFound, $"job '{jobId}' does not exist");

    public static JobException LeaseNotFound(string leaseId) => new(JobErrorKind.NotFound, $"lease '{leaseId}' does not exist");
}
