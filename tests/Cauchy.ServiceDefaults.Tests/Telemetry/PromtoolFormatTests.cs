using Cauchy.ServiceDefaults.GrpcServer;
using Cauchy.ServiceDefaults.Telemetry;
using Cauchy.ServiceDefaults.Tests.GrpcServer;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;
using Xunit;

namespace Cauchy.ServiceDefaults.Tests.Telemetry;

/// <summary>What /metrics serves, awkward label values and values included, must pass the real <c>promtool check metrics</c>.</summary>
public sealed class PromtoolFormatTests
{
    [Fact]
    public async Task Every_metric_type_with_awkward_help_label_values_and_values_passes_promtool()
    {
        using var host = HostServices();
        var registry = host.GetRequiredService<CollectorRegistry>();
        var metrics = host.GetRequiredService<IMetricFactory>();
        // prometheus-net writes HELP text as given, without escaping a backslash or a line feed: help texts stay on one
        // line and without backslashes. Label values are escaped.
        metrics.CreateCounter("cauchy_jobs_submitted_total", "Jobs submitted, \"quoted\" in the help.", ["path", "first"])
            .WithLabels("C:\\x\n\"y\"", "1").Inc(3);
        metrics.CreateGauge("cauchy_leases_active", "Leases held.").Dec(2);
        metrics.CreateGauge("cauchy_queue_depth", "Jobs waiting.", ["queue"]).WithLabels("gpu").Set(double.NaN);
        metrics.CreateCounter("cauchy_cpu_seconds_total", "CPU time.").Inc(1e21);
        metrics.CreateGauge("cauchy_memory_bytes", "Memory in use.").Set(1L << 40);
        metrics.CreateGauge("cauchy_weird", "Weird.").Set(double.PositiveInfinity);
        var histogram = metrics.CreateHistogram("cauchy_step_duration_seconds", "Step time.", ["model"], new HistogramConfiguration { Buckets = [0.001, 0.1, 10] });
        histogram.WithLabels("x").Observe(0.05);
        histogram.WithLabels("").Observe(20);
        var interceptor = new GrpcServerMetricsInterceptor(new GrpcServerMetrics(metrics));
        await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>(
            "r",
            new FakeServerCallContext("/odd \"service\"\\name/Get\nThing"),
            static (_, _) => throw new RpcException(new Status(StatusCode.NotFound, "gone"))));

        var text = await RegistryText.ExportAsync(registry);
        var (exitCode, output) = await PromTools.CheckMetricsAsync(text);

        Assert.True(exitCode == 0 && output.Trim().Length == 0, $"promtool check metrics: exit {exitCode}\n{output}\n--- input ---\n{text}");
    }

    [Fact]
    public async Task The_process_and_dotnet_metrics_pass_promtool()
    {
        using var host = HostServices();
        var registry = host.GetRequiredService<CollectorRegistry>();
        GC.Collect();

        var text = await RegistryText.ExportAsync(registry);
        var (exitCode, output) = await PromTools.CheckMetricsAsync(text);

        Assert.Contains("# TYPE dotnet_collection_count_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE process_cpu_seconds_total counter\n", text, StringComparison.Ordinal);
        Assert.True(exitCode == 0 && output.Trim().Length == 0, $"promtool check metrics: exit {exitCode}\n{output}\n--- input ---\n{text}");
    }

    /// <summary>The registry and metric factory a service gets from AddServiceDefaults.</summary>
    private static ServiceProvider HostServices() => new ServiceCollection().AddPrometheusMetrics().BuildServiceProvider();
}
