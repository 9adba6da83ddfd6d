using Cauchy.Testing;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;
using Xunit;

namespace Cauchy.ServiceDefaults.Tests.Hosting;

/// <summary>
/// End to end with the real Prometheus: a service built with the defaults records metrics, a Prometheus
/// process scrapes its /metrics every second, and PromQL sees the values and histogram buckets.
/// </summary>
[Collection(HostingCollection.Name)]
public sealed class RealPrometheusScrapeTests
{
    [Fact]
    public async Task Prometheus_scrapes_our_metrics_and_the_grpc_server_metrics_with_their_buckets()
    {
        await using var service = await GrpcDefaultsIntegrationTests.StartProbeServiceAsync();
        var metrics = service.App.Services.GetRequiredService<IMetricFactory>();
        var images = metrics.CreateCounter("cauchy_scrape_test_images_total", "Images decoded by the scrape test.", ["split"]);
        var step = metrics.CreateHistogram(
            "cauchy_scrape_test_step_duration_seconds",
            "Step time in the scrape test.",
            ["model"],
            new HistogramConfiguration { Buckets = [0.01, 0.1, 1] });
        // Read at scrape time, the way the orchestrator's gauges read the database.
        var queued = 0;
        var queuedGauge = metrics.CreateGauge("cauchy_scrape_test_queued", "Jobs queued in the scrape test.");
        service.App.Services.GetRequiredService<CollectorRegistry>().AddBeforeCollectCallback(() => queuedGauge.Set(Volatile.Read(ref queued)));

        using (var clients = GrpcDefaultsIntegrationTests.ClientFactory($"http://127.0.0.1:{service.GrpcPort}"))
        {
            var probe = clients.CreateClient<ProbeClient>("Probe");
            await probe.GetPingAsync("a");
            await probe.GetPingAsync("b");
            await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(async () => await probe.GetMissingAsync("c"));
        }

        images.WithLabels("train").Inc(40);
        images.WithLabels("test \"quoted\"\nline").Inc(2);
        foreach (var seconds in new[] { 0.005, 0.05, 0.05, 0.5, 5 })
        {
            step.WithLabels("cnn").Observe(seconds);
        }

        Volatile.Write(ref queued, 3);

        await using var prometheus = await PrometheusServer.StartAsync("cauchy-test", $"127.0.0.1:{service.HttpPort}");
        await prometheus.WaitUntilAsync(
            async () => (await prometheus.QueryByLabelAsync("cauchy_scrape_test_images_total", "split")).Count == 2,
            TimeSpan.FromSeconds(20),
            "the first scrape of our counter");

        var up = await prometheus.QueryByLabelAsync("up{job=\"cauchy-test\"}", "job");
        Assert.Equal(1, up["cauchy-test"]);

        var imagesBySplit = await prometheus.QueryByLabelAsync("cauchy_scrape_test_images_total", "split");
        Assert.Equal(40, imagesBySplit["train"]);
        Assert.Equal(2, imagesBySplit["test \"quoted\"\nline"]);

        var buckets = await prometheus.QueryByLabelAsync("cauchy_scrape_test_step_duration_seconds_bucket{model=\"cnn\"}", "le");
        Assert.Equal(
            new Dictionary<string, double> { ["0.01"] = 1, ["0.1"] = 3, ["1"] = 4, ["+Inf"] = 5 },
            buckets);
        Assert.Equal(5, (await prometheus.QueryByLabelAsync("cauchy_scrape_test_step_duration_seconds_count", "model"))["cnn"]);
        Assert.Equal(5.605, (await prometheus.QueryByLabelAsync("cauchy_scrape_test_step_duration_seconds_sum", "model"))["cnn"], 9);
        var median = await prometheus.QueryByLabelAsync("histogram_quantile(0.5, cauchy_scrape_test_step_duration_seconds_bucket)", "model");
        Assert.InRange(median["cnn"], 0.01, 0.1);
        Assert.Equal(3, (await prometheus.QueryByLabelAsync("cauchy_scrape_test_queued", "job"))["cauchy-test"]);

        var handled = await prometheus.QueryByLabelAsync("grpc_server_handled_total{grpc_service=\"cauchy.test.v1.Probe\"}", "grpc_code");
        Assert.Equal(new Dictionary<string, double> { ["OK"] = 2, ["NotFound"] = 1 }, handled);
        var pingLatency = await prometheus.QueryByLabelAsync("grpc_server_handling_seconds_bucket{grpc_method=\"GetPing\"}", "le");
        Assert.Equal(17, pingLatency.Count); // 16 bounds and +Inf
        Assert.Equal(2, pingLatency["+Inf"]);
        Assert.Equal(2, pingLatency["120"]);

        // Prometheus accepted the whole exposition, process and .NET metrics included, with no scrape error.
        Assert.NotEmpty(await prometheus.QueryByLabelAsync("dotnet_collection_count_total", "generation"));
        Assert.NotEmpty(await prometheus.QueryByLabelAsync("process_cpu_seconds_total", "job"));
        var targets = await prometheus.Http.GetStringAsync("api/v1/targets");
        Assert.Contains("\"lastError\":\"\"", targets, StringComparison.Ordinal);
        Assert.Contains("\"health\":\"up\"", targets, StringComparison.Ordinal);
    }
}
