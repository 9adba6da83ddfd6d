namespace Cauchy.Orchestrator.Jobs;

/// <summary>Section "Jobs" (environment CAUCHY_JOBS__LEASESECONDS ...): leases, the reaper and the queue's waits.</summary>
public sealed class JobsOptions
{
    public const string SectionName = "Jobs";

    /// <summary>How long a lease lasts without a heartbeat.</summary>
    public double LeaseSeconds { get; set; } = 60;

    /// <summary>How often trainers are told to heartbeat; well within <see cref="LeaseSeconds"/>.</summary>
    public double HeartbeatIntervalSeconds { get; set; } = 10;

    /// <summary>How often the lease reaper looks for expired leases.</summary>
    public double ReaperIntervalSeconds { get; set; } = 5;

    /// <summary>The longest LeaseJob waits for a job, whatever the caller asks.</summary>
    public double MaxLeaseWaitSeconds { get; set; } = 30;

    /// <summary>How long an idempotency key is remembered.</summary>
    public double IdempotencyKeyHours { get; set; } = 24;

    /// <summary>How long the jobs-by-state and per-job gauges reuse one database read.</summary>
    public double GaugeCacheSeconds { get; set; } = 5;

    /// <summary>
    /// How often a waiting LeaseJob, WatchJob or followed StreamLogs reads the database again when no in-process signal
    /// woke it (another replica, or a change the signal missed): the database is the truth, the signal only a shortcut.
    /// </summary>
    public double PollSeconds { get; set; } = 1;

    /// <summary>
    /// The architectures trainers build (the tensor engine's model zoo); a job naming another is INVALID_ARGUMENT at
    /// submission instead of waiting in the queue for a trainer that never comes. An entry ending in '*' admits every
    /// name with that prefix (for trainers with architectures of their own). Empty: not checked.
    /// </summary>
    public List<string> Architectures { get; set; } = [];

    /// <summary>Whether trainers build <paramref name="architecture"/>, per <see cref="Architectures"/>.</summary>
    public bool IsKnownArchitecture(string architecture) =>
        Architectures.Count == 0 || Architectures.Any(a => a.EndsWith('*')
            ? architecture.StartsWith(a[..^1], StringComparison.Ordinal)
            : string.Equals(a, architecture, StringComparison.Ordinal));

    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);

    public TimeSpan HeartbeatInterval => TimeSpan.FromSeconds(HeartbeatIntervalSeconds);

    public TimeSpan ReaperInterval => TimeSpan.FromSeconds(ReaperIntervalSeconds);

    public TimeSpan MaxLeaseWait => TimeSpan.FromSeconds(MaxLeaseWaitSeconds);

    public TimeSpan IdempotencyWindow => TimeSpan.FromHours(IdempotencyKeyHours);

    public TimeSpan Poll => TimeSpan.FromSeconds(PollSeconds);
}
