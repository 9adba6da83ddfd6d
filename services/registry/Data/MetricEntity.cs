namespace Cauchy.Registry.Data;

/// <summary>One metric of a model version (one value per name), a row of its own so that metric filters run in SQL.</summary>
public sealed class MetricEntity
{
    public required string ModelName { get; set; }
    public int VersionNumber { get; set; }
    public required string Name { get; set; }
    public double Value { get; set; }
    public long Step { get; set; }
    public int Epoch { get; set; }
    public DateTime? Time { get; set; }
}
