namespace Cauchy.Registry.Data;

/// <summary>A model: a name with a task type and an architecture. <see cref="LatestVersion"/> only grows, so version numbers are never reused.</summary>
public sealed class ModelEntity : Cauchy.Data.IVersioned
{
    public required string Name { get; set; }
    public int TaskType { get; set; }
    public required string Architecture { get; set; }
    public string Description { get; set; } = "";
    public DateTime CreateTime { get; set; }
    public DateTime UpdateTime { get; set; }
    public int LatestVersion { get; set; }
    public long Version { get; set; }
    public List<ModelLabelEntity> Labels { get; set; } = [];
}
