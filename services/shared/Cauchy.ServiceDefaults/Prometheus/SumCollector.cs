using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Cauchy.ServiceDefaults.Prometheus;

/// <summary>
/// Counter&lt;T&gt; (a Prometheus counter) and UpDownCounter&lt;T&gt; (a gauge): measurements are increments
/// added to a running total per series. A counter ignores negative and NaN increments, which would break its
/// monotonicity.
/// </summary>
internal sealed class SumCollector(Instrument instrument, string familyName, PrometheusMetricType type, string help)
    : InstrumentCollector(instrument, familyName, type, help)
{
    private readonly ConcurrentDictionary<LabelSet, DoubleAccumulator> _series = new();

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (Type == PrometheusMetricType.Counter && !(value >= 0))
        {
            return;
        }

        var labels = LabelSet.FromTags(tags, Type);
        _series.GetOrAdd(labels, static _ => new DoubleAccumulator()).Add(value);
    }

    public override void CollectSeries(List<SeriesSnapshot> scalars, List<HistogramSnapshot> histograms)
    {
        foreach (var (labels, accumulator) in _series)
        {
            scalars.Add(new SeriesSnapshot(labels, accumulator.Value));
        }
    }
}
