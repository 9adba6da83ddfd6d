namespace Cauchy.Orchestrator.Data;

/// <summary>
/// Every lease ever granted (immutable). The job row says which lease is current; this table lets a call on an
/// old lease be told apart from one on a lease that never existed (FAILED_PRECONDITION versus NOT_FOUND).
/// </summary>
public sealed class LeaseEntity
{
    public required string Id { get; set; }

    public required string JobId { get; set; }

    public required string WorkerId { get; set; }

    public int Attempt { get; set; }

    public DateTime GrantedAt { get; set; }
}
