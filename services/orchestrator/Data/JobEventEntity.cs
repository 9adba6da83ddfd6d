namespace Cauchy.Orchestrator.Data;

/// <summary>One entry of a job's append-only event sequence: a <c>cauchy.v1.JobEvent</c> (state change, progress, epoch).</summary>
public sealed class JobEventEntity
{
    public required string JobId { get; set; }

    public long Sequence { get; set; }

    public DateTime Time { get; set; }

    public required byte[] Payload { get; set; }
}
