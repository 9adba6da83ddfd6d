namespace Cauchy.ServiceDefaults.Prometheus;

/// <summary>One series of a counter or gauge as it stood at a scrape.</summary>
internal sealed record SeriesSnapshot(LabelSet Labels, double Value);
