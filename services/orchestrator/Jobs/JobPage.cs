using Cauchy.V1;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>One page of ListJobs; the token is null on the last page.</summary>
public sealed record JobPage(IReadOnlyList<Job> Jobs, string? NextPageToken);
