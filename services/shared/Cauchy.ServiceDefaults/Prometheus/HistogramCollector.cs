using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Cauchy.ServiceDefaults.Prometheus;

/// <summary>Histogram&lt;T&gt; with explicit bucket bounds. NaN measurements are dropped: they would poison the sum.</summary>
internal sealed class HistogramCollector(Instrument instrument, string familyName, string help, double[] bounds)
    : InstrumentCollector(instrument, familyName, PrometheusMetricType.Histogram, help)
{
    private readonly ConcurrentDictionary<LabelSet, HistogramAccumulator> _series = new();

    public IReadOnlyList<double> Bounds => bounds;

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (double.IsNaN(value))
        {
            return;
        }

        var labels = LabelSet.FromTags(tags, Type);
        _series.GetOrAdd(labels, static (_, b) => new HistogramAccumulator(b), bounds).Record(value);
    }

    public override void CollectSeries(List<SeriesSnapshot> scalars, List<HistogramSnapshot> histograms)
    {
        foreach (var (labels, accumulator) in _series)
        {
            histograms.Add(accumulator.Snapshot(labels));
        }
    }
}
