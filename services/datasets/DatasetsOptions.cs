namespace Cauchy.Datasets;

/// <summary>Configuration section "Datasets" (environment <c>CAUCHY_DATASETS__...</c>).</summary>
public sealed class DatasetsOptions
{
    public const string SectionName = "Datasets";

    /// <summary>Folder for spooled uploads, extracted archives and shards being written; cleared of leftovers at start.</summary>
    public string WorkDirectory { get; set; } = "data/datasets-work";

    /// <summary>Object-store key prefix under which every version's shards live.</summary>
    public string ObjectPrefix { get; set; } = "datasets/";

    public ArchiveLimits Archive { get; set; } = new();

    public ShardOptions Shards { get; set; } = new();

    /// <summary>
    /// Absolute folders from which <c>file:///</c> source URIs may be imported; empty (the default) refuses every
    /// file URI, so a caller cannot make the service read arbitrary files of its host.
    /// </summary>
    public List<string> AllowedFileRoots { get; set; } = [];

    /// <summary>
    /// Whether DeleteDatasetVersion asks the registry (Services:Registry:Address) for models trained on the version.
    /// Off only for deployments without a registry; then deletes are not checked against lineage.
    /// </summary>
    public bool CheckRegistryLineage { get; set; } = true;

    /// <summary>
    /// At start-up, imports begun longer ago than this that never committed are crash leftovers: their objects are
    /// deleted. Zero (the default, one instance) sweeps every unfinished import; with several replicas sharing one
    /// database set it longer than the longest import.
    /// </summary>
    public TimeSpan AbandonImportsAfter { get; set; } = TimeSpan.Zero;
}

/// <summary>Limits an archive must respect while it is extracted; checked on the bytes actually written.</summary>
public sealed class ArchiveLimits
{
    /// <summary>Largest archive accepted (compressed size), bytes.</summary>
    public long MaxArchiveBytes { get; set; } = 8L << 30;

    /// <summary>Largest total size of the extracted entries, bytes.</summary>
    public long MaxExtractedBytes { get; set; } = 32L << 30;

    /// <summary>Largest extracted size of one entry, bytes.</summary>
    public long MaxEntryBytes { get; set; } = 4L << 30;

    /// <summary>Most entries (files and folders).</summary>
    public int MaxEntries { get; set; } = 2_000_000;

    /// <summary>
    /// Largest ratio of extracted bytes to archive bytes, checked once the extracted total passes
    /// <see cref="RatioCheckAfterBytes"/>: a zip bomb expands far beyond what real image data compresses to.
    /// </summary>
    public double MaxExpansionRatio { get; set; } = 100;

    /// <summary>Extracted size from which the expansion ratio is enforced (small archives of text compress well).</summary>
    public long RatioCheckAfterBytes { get; set; } = 64L << 20;
}

/// <summary>How samples are cut into shards.</summary>
public sealed class ShardOptions
{
    /// <summary>Most samples per shard.</summary>
    public int MaxSamples { get; set; } = 10_000;

    /// <summary>A shard is closed once it holds this many bytes (the sample that crosses it is the last one).</summary>
    public long MaxBytes { get; set; } = 64L << 20;

    /// <summary>Samples per ReadShard message, at most; a message is also closed once it holds about 1 MiB.</summary>
    public int ReadBatchSamples { get; set; } = 512;
}
