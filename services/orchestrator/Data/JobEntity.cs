using Cauchy.Data;

namespace Cauchy.Orchestrator.Data;

/// <summary>
/// One job: the resolved <c>cauchy.v1.JobSpec</c> as protobuf bytes, plus the columns the queue, the lease checks
/// and the lists filter and order on. Every change goes through <see cref="IVersioned"/>: a transition based on a
/// stale read changes nothing and is retried on fresh rows.
/// </summary>
public sealed class JobEntity : IVersioned
{
    public required string Id { get; set; }

    public long Version { get; set; }

    /// <summary>A <c>cauchy.v1.JobState</c> value.</summary>
    public int State { get; set; }

    public int Priority { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public DateTime? StartedAt { get; set; }

    public DateTime? EndedAt { get; set; }

    public string DisplayName { get; set; } = "";

    public string DatasetId { get; set; } = "";

    public string DatasetVersionId { get; set; } = "";

    public string Architecture { get; set; } = "";

    /// <summary>What the worker must offer (from spec.resources): GPUs (0: any device), host and per-GPU memory.</summary>
    public int Gpus { get; set; }

    public long MemoryBytes { get; set; }

    public long GpuMemoryBytes { get; set; }

    /// <summary>Null once the key is older than the idempotency window (so it can be used again).</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>The resolved spec (<c>cauchy.v1.JobSpec</c>).</summary>
    public required byte[] Spec { get; set; }

    /// <summary>The spec as submitted, validated but before the dataset version was pinned: what an idempotent retry is compared with.</summary>
    public required byte[] SubmittedSpec { get; set; }

    public int Attempt { get; set; }

    /// <summary>When the current attempt was leased; null while no worker holds the job.</summary>
    public DateTime? AttemptStartedAt { get; set; }

    /// <summary>How long the ended attempts ran together (ticks), for spec.max_run_duration.</summary>
    public long RunTicks { get; set; }

    /// <summary>spec.max_run_duration in ticks; 0 means no limit.</summary>
    public long MaxRunTicks { get; set; }

    public int FailureCount { get; set; }

    public int MaxRetries { get; set; }

    public string? LeaseId { get; set; }

    /// <summary>The worker holding the lease now, or the last one that held it.</summary>
    public string WorkerId { get; set; } = "";

    public DateTime? LeaseExpiresAt { get; set; }

    /// <summary><c>cauchy.v1.JobProgress</c> of the current or latest attempt; null before the first heartbeat.</summary>
    public byte[]? Progress { get; set; }

    /// <summary><c>cauchy.v1.Checkpoint</c>; null until the first one.</summary>
    public byte[]? LatestCheckpoint { get; set; }

    public long CheckpointStep { get; set; }

    /// <summary>The latest value of each metric name, as a <c>cauchy.v1.MetricSeries</c> whose points hold one value per name.</summary>
    public byte[]? LastMetrics { get; set; }

    public int LastCompletedEpoch { get; set; }

    public string ResultModelName { get; set; } = "";

    public int ResultModelVersion { get; set; }

    /// <summary>The registered version's registry-wide id (<c>ModelVersion.version_id</c>); empty for jobs completed before it was kept.</summary>
    public string ResultModelVersionId { get; set; } = "";

    public string ErrorMessage { get; set; } = "";

    /// <summary>The principal that submitted the job; empty for jobs submitted before owners were kept.</summary>
    public string Owner { get; set; } = "";

    /// <summary>The sequence number of the job's newest event (events count from 1).</summary>
    public long EventCount { get; set; }

    /// <summary>The sequence number of the job's newest log line (lines count from 1).</summary>
    public long LogCount { get; set; }
}
