namespace Cauchy.Data.Tests.Sample;

/// <summary>A row with a database-generated key and a foreign key to its widget.</summary>
public sealed class Part
{
    public long Id { get; set; }
    public required string WidgetId { get; set; }
    public string? Label { get; set; }
}
