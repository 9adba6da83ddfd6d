using System.Diagnostics.Metrics;
using Cauchy.ServiceDefaults.Prometheus;
using Xunit;

namespace Cauchy.ServiceDefaults.Tests.Prometheus;

/// <summary>Our output, awkward names and values included, must pass the real <c>promtool check metrics</c>.</summary>
public sealed class PromtoolFormatTests
{
    [Fact]
    public async Task Every_instrument_kind_with_awkward_names_and_values_passes_promtool()
    {
        using var scope = new ExporterScope();
        var meter = scope.CreateMeter();
        meter.CreateCounter<long>("cauchy.jobs.submitted", "{job}", "Jobs submitted.\nSecond line with \\ and \"quotes\".")
            .Add(3, new KeyValuePair<string, object?>("path", "C:\\x\n\"y\""), new KeyValuePair<string, object?>("1st", 1));
        meter.CreateUpDownCounter<int>("cauchy.leases.active", "{lease}", "Leases held.").Add(-2);
        meter.CreateObservableGauge("cauchy.queue.depth", () => new Measurement<double>(double.NaN, new KeyValuePair<string, object?>("queue", "gpu")), "{job}", "Jobs waiting.");
        meter.CreateObservableCounter("cauchy.cpu.time", () => 1e21, "s", "CPU time.");
        meter.CreateObservableUpDownCounter("cauchy.memory", () => 1L << 40, "By", "Memory in use.");
        meter.CreateGauge<float>("9.weird-name/with:colons", null, "Weird.").Record(float.PositiveInfinity);
        var histogram = meter.CreateHistogram("cauchy.step.duration", "s", "Step time.", null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.1, 10] });
        histogram.Record(0.05, new KeyValuePair<string, object?>("le", "x"));
        histogram.Record(20);

        var text = scope.Collect();
        var (exitCode, output) = await PromTools.CheckMetricsAsync(text);

        Assert.True(exitCode == 0 && output.Trim().Length == 0, $"promtool check metrics: exit {exitCode}\n{output}\n--- input ---\n{text}");
    }

    /// <summary>
    /// The runtime's own names are exported as OpenTelemetry names them (dashboards expect them), so promtool's
    /// style lint may object to gauges such as <c>dotnet_timer_count</c> (exit code 3); a format error (exit
    /// code 1) is never acceptable.
    /// </summary>
    [Fact]
    public async Task The_runtime_meter_passes_promtool_format_checks()
    {
        using var collector = new PrometheusMetricsCollector(new PrometheusExporterOptions());
        GC.Collect();

        var text = collector.Collect();
        var (exitCode, output) = await PromTools.CheckMetricsAsync(text);

        Assert.Contains("# TYPE dotnet_gc_collections_total counter", text, StringComparison.Ordinal);
        var problems = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(
            exitCode is 0 or 3 && problems.All(p => p.EndsWith("metrics should not have \"_count\" suffix", StringComparison.Ordinal)),
            $"promtool check metrics: exit {exitCode}\n{output}\n--- input ---\n{text}");
    }
}
