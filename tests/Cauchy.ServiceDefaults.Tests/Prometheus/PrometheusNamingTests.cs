using Cauchy.ServiceDefaults.Prometheus;
using Xunit;

namespace Cauchy.ServiceDefaults.Tests.Prometheus;

public sealed class PrometheusNamingTests
{
    [Theory]
    [InlineData("cauchy.jobs.submitted", null, PrometheusMetricType.Counter, "cauchy_jobs_submitted_total")]
    [InlineData("requests.total", null, PrometheusMetricType.Counter, "requests_total")]
    [InlineData("requests_total", "{request}", PrometheusMetricType.Counter, "requests_total")]
    [InlineData("grpc.server.handled", "{call}", PrometheusMetricType.Counter, "grpc_server_handled_total")]
    [InlineData("grpc.server.handling", "s", PrometheusMetricType.Histogram, "grpc_server_handling_seconds")]
    [InlineData("latency_seconds", "s", PrometheusMetricType.Histogram, "latency_seconds")]
    [InlineData("cpu.time", "s", PrometheusMetricType.Counter, "cpu_time_seconds_total")]
    [InlineData("shard.io", "By", PrometheusMetricType.Counter, "shard_io_bytes_total")]
    [InlineData("net.io", "By/s", PrometheusMetricType.Gauge, "net_io_bytes_per_second")]
    [InlineData("throughput", "{image}/s", PrometheusMetricType.Gauge, "throughput_per_second")]
    [InlineData("cpu.utilization", "1", PrometheusMetricType.Gauge, "cpu_utilization_ratio")]
    [InlineData("retries", "1", PrometheusMetricType.Counter, "retries_total")]
    [InlineData("memory", "MiBy", PrometheusMetricType.Gauge, "memory_mebibytes")]
    [InlineData("gpu.temperature", "Cel", PrometheusMetricType.Gauge, "gpu_temperature_celsius")]
    [InlineData("pause", "ms", PrometheusMetricType.Histogram, "pause_milliseconds")]
    [InlineData("track", "furlongs", PrometheusMetricType.Gauge, "track_furlongs")]
    [InlineData("9lives", null, PrometheusMetricType.Gauge, "_9lives")]
    [InlineData("a-b c/d", null, PrometheusMetricType.Gauge, "a_b_c_d")]
    [InlineData("a..b__c", null, PrometheusMetricType.Gauge, "a_b_c")]
    [InlineData("ns:metric", null, PrometheusMetricType.Gauge, "ns_metric")]
    [InlineData("über", null, PrometheusMetricType.Gauge, "_ber")]
    [InlineData("x", "  ", PrometheusMetricType.Gauge, "x")]
    public void Metric_names_follow_the_open_telemetry_to_prometheus_rules(string name, string? unit, PrometheusMetricType type, string expected) =>
        Assert.Equal(expected, PrometheusNaming.MetricName(name, unit, type));

    [Theory]
    [InlineData("job.id", PrometheusMetricType.Counter, "job_id")]
    [InlineData("a:b", PrometheusMetricType.Counter, "a_b")]
    [InlineData("1st", PrometheusMetricType.Counter, "key_1st")]
    [InlineData("__name__", PrometheusMetricType.Counter, "key__name__")]
    [InlineData("le", PrometheusMetricType.Histogram, "key_le")]
    [InlineData("le", PrometheusMetricType.Counter, "le")]
    [InlineData("ß", PrometheusMetricType.Gauge, "_")]
    [InlineData("", PrometheusMetricType.Gauge, null)]
    public void Label_names_are_valid_and_never_reserved(string key, PrometheusMetricType type, string? expected) =>
        Assert.Equal(expected, PrometheusNaming.LabelName(key, type));

    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(1.0, "1")]
    [InlineData(-0.5, "-0.5")]
    [InlineData(123456789012.0, "123456789012")]
    [InlineData(1e21, "1E+21")]
    [InlineData(5e-324, "5E-324")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    public void Numbers_are_invariant_and_shortest_round_trip(double value, string expected)
    {
        Assert.Equal(expected, PrometheusText.FormatDouble(value));
        if (double.IsFinite(value))
        {
            Assert.Equal(value, double.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\\b", "a\\\\b")]
    [InlineData("say \"hi\"", "say \\\"hi\\\"")]
    [InlineData("two\nlines", "two\\nlines")]
    public void Label_values_escape_backslash_quote_and_newline(string value, string expected) =>
        Assert.Equal(expected, PrometheusText.EscapeLabelValue(value));

    [Fact]
    public void Help_text_escapes_backslash_and_newline_but_not_quotes() =>
        Assert.Equal("a \\\\ \"b\"\\nc", PrometheusText.EscapeHelp("a \\ \"b\"\nc"));
}
