using System.Diagnostics.Metrics;

namespace Cauchy.ServiceDefaults.Prometheus;

/// <summary>What the exporter keeps for one instrument: its series, keyed by label set.</summary>
internal abstract class InstrumentCollector(Instrument instrument, string familyName, PrometheusMetricType type, string help)
{
    public Instrument Instrument { get; } = instrument;

    public string FamilyName { get; } = familyName;

    public PrometheusMetricType Type { get; } = type;

    public string Help { get; } = help;

    /// <summary>Observable instruments report their whole state at each scrape; older series are dropped first.</summary>
    public bool IsObservable => Instrument.IsObservable;

    public abstract void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    /// <summary>Called at a scrape, before the observable instruments are polled.</summary>
    public virtual void BeginObservation()
    {
    }

    public abstract void CollectSeries(List<SeriesSnapshot> scalars, List<HistogramSnapshot> histograms);
}
