namespace Cauchy.Orchestrator.Data;

/// <summary>
/// The orchestrator's own heartbeat: one row, written by the lease reaper on every pass of any replica. The time since
/// it was last written is time no orchestrator could hear a worker's heartbeat, which leases are not charged for.
/// </summary>
public sealed class OrchestratorHeartbeatEntity
{
    /// <summary>The single row's key, <see cref="SingleId"/>.</summary>
    public const string SingleId = "orchestrator";

    public required string Id { get; set; }

    public DateTime BeatAt { get; set; }
}
