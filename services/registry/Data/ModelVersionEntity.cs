namespace Cauchy.Registry.Data;

/// <summary>
/// One immutable set of weights of a model. Only the stage (and description, labels) change. Lineage, pretrained
/// source and class names are kept as serialized protos/JSON: they are read whole, never filtered on; what lists filter
/// on (stage, metrics, job id, dataset, architecture) has columns of its own.
/// </summary>
public sealed class ModelVersionEntity : Cauchy.Data.IVersioned
{
    public required string ModelName { get; set; }
    public int Number { get; set; }
    /// <summary>Registry-wide id ("mv-" + 32 hex digits), unique.</summary>
    public required string VersionId { get; set; }
    public int Stage { get; set; }
    public string Description { get; set; } = "";
    public string LabelsJson { get; set; } = "{}";
    public string ClassNamesJson { get; set; } = "[]";
    /// <summary>The Lineage proto, or null for pretrained imports.</summary>
    public byte[]? Lineage { get; set; }
    public string? LineageJobId { get; set; }
    public string? LineageDatasetId { get; set; }
    public string? LineageDatasetVersionId { get; set; }
    /// <summary>The PretrainedSource proto; set only for the pretrained catalogue.</summary>
    public byte[]? Pretrained { get; set; }
    public bool IsPretrained { get; set; }
    /// <summary>Copied from the model so the pretrained catalogue orders by it without a join.</summary>
    public required string Architecture { get; set; }
    public int TaskType { get; set; }
    public required string WeightsKey { get; set; }
    public required string WeightsSha256 { get; set; }
    public long WeightsSize { get; set; }
    public required string ModelCardKey { get; set; }
    public required string ModelCardSha256 { get; set; }
    public long ModelCardSize { get; set; }
    public string? IdempotencyKey { get; set; }
    public DateTime CreateTime { get; set; }
    public DateTime StageUpdateTime { get; set; }
    public long Version { get; set; }
    public List<MetricEntity> Metrics { get; set; } = [];
}
