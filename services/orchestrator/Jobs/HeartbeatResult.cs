namespace Cauchy.Orchestrator.Jobs;

/// <summary>The renewed lease's expiry, and whether the worker should stop because the job is being cancelled.</summary>
public sealed record HeartbeatResult(DateTime LeaseExpiresAt, bool CancelRequested);
