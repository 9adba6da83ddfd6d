namespace Cauchy.Platform.Tests.Infrastructure;

/// <summary>One sample line of the Prometheus text format: name{labels} value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value, string Line)
{
    public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;
}
