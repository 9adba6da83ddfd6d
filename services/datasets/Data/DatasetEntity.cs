using Cauchy.Data;

namespace Cauchy.Datasets.Data;

/// <summary>A dataset row. Labels are stored as a JSON object.</summary>
public sealed class DatasetEntity : IVersioned
{
    public required string Id { get; set; }

    public string DisplayName { get; set; } = "";

    public string Description { get; set; } = "";

    public int TaskType { get; set; }

    public string LabelsJson { get; set; } = "{}";

    public DateTime CreateTime { get; set; }

    public DateTime UpdateTime { get; set; }

    public long Version { get; set; }
}
