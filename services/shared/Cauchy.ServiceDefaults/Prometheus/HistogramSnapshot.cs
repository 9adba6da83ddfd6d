namespace Cauchy.ServiceDefaults.Prometheus;

/// <summary>One histogram series at a scrape; <paramref name="CumulativeCounts"/> has one entry per bound.</summary>
internal sealed record HistogramSnapshot(LabelSet Labels, double[] Bounds, long[] CumulativeCounts, double Sum, long Count);
