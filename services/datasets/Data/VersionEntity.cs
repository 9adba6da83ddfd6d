using Cauchy.Data;

namespace Cauchy.Datasets.Data;

/// <summary>
/// One import's row: created when the import starts writing objects (Importing), made visible by the commit
/// (Ready, with its version id and protos), or marked Deleting when the version or its dataset is deleted. Only
/// Ready rows are ever shown; Importing and Deleting rows name object prefixes to clean after a crash.
/// </summary>
public sealed class VersionEntity : IVersioned
{
    public required string ImportId { get; set; }

    public required string DatasetId { get; set; }

    /// <summary>The content hash; null until the commit, and again once the version is being deleted.</summary>
    public string? VersionId { get; set; }

    public VersionState State { get; set; }

    public required string ObjectPrefix { get; set; }

    public DateTime CreateTime { get; set; }

    /// <summary>Serialized DatasetVersion, ShardManifest and DatasetStatistics protos (set when Ready).</summary>
    public byte[]? VersionProto { get; set; }

    public byte[]? ManifestProto { get; set; }

    public byte[]? StatisticsProto { get; set; }

    public long Version { get; set; }
}

public enum VersionState
{
    Importing = 0,
    Ready = 1,
    Deleting = 2,
}
