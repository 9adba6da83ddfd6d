using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Cauchy.ServiceDefaults.Prometheus;

/// <summary>
/// Instruments whose measurements are the current value, not an increment: the observable instruments
/// (ObservableCounter reports a cumulative total, ObservableGauge and ObservableUpDownCounter a level) and the
/// synchronous Gauge&lt;T&gt;. Observable series are rebuilt at each scrape, so a series the callback stopped
/// reporting disappears.
/// </summary>
internal sealed class LastValueCollector(Instrument instrument, string familyName, PrometheusMetricType type, string help)
    : InstrumentCollector(instrument, familyName, type, help)
{
    private ConcurrentDictionary<LabelSet, double> _series = new();

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = LabelSet.FromTags(tags, Type);
        Volatile.Read(ref _series)[labels] = value;
    }

    public override void BeginObservation()
    {
        if (IsObservable)
        {
            Volatile.Write(ref _series, new ConcurrentDictionary<LabelSet, double>());
        }
    }

    public override void CollectSeries(List<SeriesSnapshot> scalars, List<HistogramSnapshot> histograms)
    {
        foreach (var (labels, value) in Volatile.Read(ref _series))
        {
            scalars.Add(new SeriesSnapshot(labels, value));
        }
    }
}
