namespace Cauchy.Data.Tests.Sample;

/// <summary>A caller-named row with a unique display name and a concurrency token.</summary>
public sealed class Widget : IVersioned
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public int Counter { get; set; }
    public DateTime CreatedAt { get; set; }
    public long Version { get; set; }
    public List<Part> Parts { get; set; } = [];
}
