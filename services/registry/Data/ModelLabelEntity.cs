namespace Cauchy.Registry.Data;

/// <summary>One label of a model, a row of its own so that label selectors filter in SQL.</summary>
public sealed class ModelLabelEntity
{
    public required string ModelName { get; set; }
    public required string Key { get; set; }
    public required string Value { get; set; }
}
