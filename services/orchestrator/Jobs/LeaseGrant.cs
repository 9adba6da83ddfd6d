using Cauchy.V1;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>A leased job: the lease to act through, when it runs out unless renewed, and the checkpoint to resume from.</summary>
public sealed record LeaseGrant(Job Job, string LeaseId, DateTime ExpiresAt, TimeSpan HeartbeatInterval, Checkpoint? ResumeFrom);
