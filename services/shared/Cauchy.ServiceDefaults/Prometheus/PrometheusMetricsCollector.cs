using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cauchy.ServiceDefaults.Prometheus;

/// <summary>
/// Listens to System.Diagnostics.Metrics instruments of the configured meters and writes their current state
/// in the Prometheus text exposition format 0.0.4.
/// <para>
/// Mapping: Counter → counter (<c>_total</c>), UpDownCounter → gauge, Histogram → histogram (buckets from the
/// instrument's <see cref="InstrumentAdvice{T}.HistogramBucketBoundaries"/>, otherwise
/// <see cref="PrometheusExporterOptions.DefaultHistogramBuckets"/>), ObservableCounter → counter,
/// ObservableUpDownCounter / ObservableGauge / Gauge → gauge. Tags become labels. Names follow
/// <see cref="PrometheusNaming"/>.
/// </para>
/// <para>
/// Recording is lock-free for counters and takes a per-series lock for histograms; observable instruments are
/// polled at each scrape, and scrapes run one at a time. When two instruments map to the same family name,
/// the first one published decides the type and help; an instrument of another type under that name is not
/// exported (a warning is logged), and where two instruments produce the same series the first one wins.
/// </para>
/// </summary>
public sealed class PrometheusMetricsCollector : IDisposable
{
    private readonly IReadOnlyList<string> _meterPrefixes;
    private readonly double[] _defaultBuckets;
    private readonly ILogger _logger;
    private readonly MeterListener _listener;
    private readonly Lock _registryLock = new();
    private readonly Dictionary<string, List<InstrumentCollector>> _families = new(StringComparer.Ordinal);
    private readonly Lock _scrapeLock = new();
    private bool _disposed;

    public PrometheusMetricsCollector(PrometheusExporterOptions options, ILogger<PrometheusMetricsCollector>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _meterPrefixes = [.. options.MeterPrefixes];
        _defaultBuckets = NormaliseBounds(options.DefaultHistogramBuckets) is { Length: > 0 } bounds
            ? bounds
            : [.. PrometheusExporterOptions.PrometheusDefaultBuckets];
        _logger = logger ?? NullLogger<PrometheusMetricsCollector>.Instance;

        _listener = new MeterListener
        {
            InstrumentPublished = OnInstrumentPublished,
            MeasurementsCompleted = OnMeasurementsCompleted,
        };
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((InstrumentCollector)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((InstrumentCollector)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((InstrumentCollector)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((InstrumentCollector)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((InstrumentCollector)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((InstrumentCollector)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((InstrumentCollector)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>Polls the observable instruments and returns every family in exposition format, sorted by name.</summary>
    public string Collect()
    {
        lock (_scrapeLock)
        {
            List<KeyValuePair<string, InstrumentCollector[]>> families;
            lock (_registryLock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                families = [.. _families.Select(static f => new KeyValuePair<string, InstrumentCollector[]>(f.Key, [.. f.Value]))];
            }

            families.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            foreach (var (_, members) in families)
            {
                foreach (var member in members)
                {
                    member.BeginObservation();
                }
            }

            try
            {
                _listener.RecordObservableInstruments();
            }
            catch (Exception exception)
            {
                // One failing callback must not cost the scrape the other metrics.
                _logger.LogWarning(exception, "An observable instrument's callback failed during a metrics scrape");
            }

            var builder = new StringBuilder(4096);
            foreach (var (name, members) in families)
            {
                WriteFamily(builder, name, members);
            }

            return builder.ToString();
        }
    }

    public void Dispose()
    {
        lock (_registryLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _listener.Dispose();
    }

    private static void WriteFamily(StringBuilder builder, string name, InstrumentCollector[] members)
    {
        var scalars = new List<SeriesSnapshot>();
        var histograms = new List<HistogramSnapshot>();
        foreach (var member in members)
        {
            member.CollectSeries(scalars, histograms);
        }

        if (scalars.Count == 0 && histograms.Count == 0)
        {
            return;
        }

        var type = members[0].Type;
        builder.Append("# HELP ").Append(name).Append(' ').Append(PrometheusText.EscapeHelp(members[0].Help)).Append('\n');
        builder.Append("# TYPE ").Append(name).Append(' ').Append(TypeName(type)).Append('\n');

        // Members were listed in publication order and each member's series precede the next member's, so the
        // stable sort keeps the first instrument's series when two share a label set; the duplicates are skipped.
        var written = new HashSet<LabelSet>();
        if (type == PrometheusMetricType.Histogram)
        {
            foreach (var series in histograms.OrderBy(static s => s.Labels.Render(), StringComparer.Ordinal))
            {
                if (written.Add(series.Labels))
                {
                    WriteHistogram(builder, name, series);
                }
            }
        }
        else
        {
            foreach (var series in scalars.OrderBy(static s => s.Labels.Render(), StringComparer.Ordinal))
            {
                if (written.Add(series.Labels))
                {
                    builder.Append(name).Append(series.Labels.Render()).Append(' ')
                        .Append(PrometheusText.FormatDouble(series.Value)).Append('\n');
                }
            }
        }
    }

    private static void WriteHistogram(StringBuilder builder, string name, HistogramSnapshot series)
    {
        for (var i = 0; i < series.Bounds.Length; i++)
        {
            builder.Append(name).Append("_bucket")
                .Append(series.Labels.RenderWith("le", PrometheusText.FormatDouble(series.Bounds[i])))
                .Append(' ').Append(series.CumulativeCounts[i]).Append('\n');
        }

        builder.Append(name).Append("_bucket").Append(series.Labels.RenderWith("le", "+Inf"))
            .Append(' ').Append(series.Count).Append('\n');
        builder.Append(name).Append("_sum").Append(series.Labels.Render())
            .Append(' ').Append(PrometheusText.FormatDouble(series.Sum)).Append('\n');
        builder.Append(name).Append("_count").Append(series.Labels.Render())
            .Append(' ').Append(series.Count).Append('\n');
    }

    private static string TypeName(PrometheusMetricType type) => type switch
    {
        PrometheusMetricType.Counter => "counter",
        PrometheusMetricType.Gauge => "gauge",
        _ => "histogram",
    };

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (!IsExported(instrument.Meter.Name))
        {
            return;
        }

        var collector = CreateCollector(instrument);
        if (collector is null)
        {
            return;
        }

        lock (_registryLock)
        {
            if (_disposed)
            {
                return;
            }

            if (_families.TryGetValue(collector.FamilyName, out var members))
            {
                if (members[0].Type != collector.Type)
                {
                    _logger.LogWarning(
                        "Instrument {Instrument} of meter {Meter} is not exported: metric family {Family} is already a {Type}",
                        instrument.Name,
                        instrument.Meter.Name,
                        collector.FamilyName,
                        TypeName(members[0].Type));
                    return;
                }

                members.Add(collector);
            }
            else
            {
                _families.Add(collector.FamilyName, [collector]);
            }
        }

        listener.EnableMeasurementEvents(instrument, collector);
    }

    private void OnMeasurementsCompleted(Instrument instrument, object? state)
    {
        if (state is not InstrumentCollector collector)
        {
            return;
        }

        lock (_registryLock)
        {
            if (_families.TryGetValue(collector.FamilyName, out var members) && members.Remove(collector) && members.Count == 0)
            {
                _families.Remove(collector.FamilyName);
            }
        }
    }

    private bool IsExported(string meterName)
    {
        foreach (var prefix in _meterPrefixes)
        {
            if (meterName.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private InstrumentCollector? CreateCollector(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        var help = string.IsNullOrWhiteSpace(instrument.Description) ? instrument.Name : instrument.Description;
        string Name(PrometheusMetricType metricType) => PrometheusNaming.MetricName(instrument.Name, instrument.Unit, metricType);

        if (definition == typeof(Counter<>))
        {
            return new SumCollector(instrument, Name(PrometheusMetricType.Counter), PrometheusMetricType.Counter, help);
        }

        if (definition == typeof(UpDownCounter<>))
        {
            return new SumCollector(instrument, Name(PrometheusMetricType.Gauge), PrometheusMetricType.Gauge, help);
        }

        if (definition == typeof(ObservableCounter<>))
        {
            return new LastValueCollector(instrument, Name(PrometheusMetricType.Counter), PrometheusMetricType.Counter, help);
        }

        if (definition == typeof(ObservableUpDownCounter<>) || definition == typeof(ObservableGauge<>) || definition == typeof(Gauge<>))
        {
            return new LastValueCollector(instrument, Name(PrometheusMetricType.Gauge), PrometheusMetricType.Gauge, help);
        }

        if (definition == typeof(Histogram<>))
        {
            var advised = NormaliseBounds(AdvisedBounds(instrument));
            return new HistogramCollector(instrument, Name(PrometheusMetricType.Histogram), help, advised.Length > 0 ? advised : _defaultBuckets);
        }

        return null;
    }

    private static IEnumerable<double> AdvisedBounds(Instrument instrument) => instrument switch
    {
        Instrument<double> i => i.Advice?.HistogramBucketBoundaries ?? [],
        Instrument<float> i => i.Advice?.HistogramBucketBoundaries?.Select(static v => (double)v) ?? [],
        Instrument<long> i => i.Advice?.HistogramBucketBoundaries?.Select(static v => (double)v) ?? [],
        Instrument<int> i => i.Advice?.HistogramBucketBoundaries?.Select(static v => (double)v) ?? [],
        Instrument<short> i => i.Advice?.HistogramBucketBoundaries?.Select(static v => (double)v) ?? [],
        Instrument<byte> i => i.Advice?.HistogramBucketBoundaries?.Select(static v => (double)v) ?? [],
        Instrument<decimal> i => i.Advice?.HistogramBucketBoundaries?.Select(static v => (double)v) ?? [],
        _ => [],
    };

    /// <summary>Sorted, distinct, finite bounds; +Inf is implicit in the format and added when writing.</summary>
    private static double[] NormaliseBounds(IEnumerable<double> bounds) =>
        [.. bounds.Where(double.IsFinite).Distinct().Order()];
}
