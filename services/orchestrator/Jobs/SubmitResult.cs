using Cauchy.V1;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>What SubmitJob answers: the job, and whether an earlier submission with the same idempotency key made it.</summary>
public sealed record SubmitResult(Job Job, bool AlreadyExisted);
