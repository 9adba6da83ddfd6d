using Cauchy.Domain;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>The job domain's refusals that are worded the same wherever they are raised.</summary>
public static class JobErrors
{
    public static DomainException JobNotFound(string jobId) => DomainException.NotFound($"job '{jobId}' does not exist");

    public static DomainException LeaseNotFound(string leaseId) => DomainException.NotFound($"lease '{leaseId}' does not exist");
}
