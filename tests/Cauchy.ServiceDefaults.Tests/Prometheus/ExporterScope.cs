using System.Diagnostics.Metrics;
using Cauchy.ServiceDefaults.Prometheus;

namespace Cauchy.ServiceDefaults.Tests.Prometheus;

/// <summary>
/// A collector that sees only meters created through this scope (their names share a unique prefix), so tests
/// running in parallel, and the runtime's own meters, never leak into the expected text.
/// </summary>
public sealed class ExporterScope : IDisposable
{
    private readonly List<Meter> _meters = [];

    public ExporterScope(IReadOnlyList<double>? defaultBuckets = null)
    {
        Prefix = "Test." + Guid.NewGuid().ToString("N");
        var options = new PrometheusExporterOptions { MeterPrefixes = [Prefix] };
        if (defaultBuckets is not null)
        {
            options = options with { DefaultHistogramBuckets = defaultBuckets };
        }

        Collector = new PrometheusMetricsCollector(options);
    }

    public string Prefix { get; }

    public PrometheusMetricsCollector Collector { get; }

    public Meter CreateMeter(string suffix = "main")
    {
        var meter = new Meter(Prefix + "." + suffix);
        _meters.Add(meter);
        return meter;
    }

    public string Collect() => Collector.Collect();

    public void Dispose()
    {
        Collector.Dispose();
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }
}
