using System.Globalization;
using Cauchy.Testing;
using Cauchy.V1;
using Grpc.Core;
using Xunit;
using Xunit.Abstractions;

namespace Cauchy.EndToEnd.Tests;

/// <summary>
/// The Helm chart's Grafana panels and alert rules (charts/cauchy/files) against a real Prometheus that scraped the real
/// services while the reference job trained: the series they name must exist as the services export them. Prometheus
/// names each target's job after its service, as the chart's ServiceMonitor does.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ChartQueryTests(PlatformFixture fixture, ITestOutputHelper output)
{
    /// <summary>Panels that cannot have data here, and why: the CPU trainer has no GPU memory to report.</summary>
    private static readonly Dictionary<string, string> NoDataOnACpuTrainer = new()
    {
        ["GPU memory"] = "cauchy_job_gpu_memory_bytes is reported by CUDA trainers only",
    };

    [Fact]
    public async Task Every_dashboard_panel_query_returns_series_from_the_services()
    {
        var (prometheus, jobId, start) = await ScrapedPlatformAsync();

        var failures = new List<string>();
        foreach (var (dashboard, panel, expression) in ChartQueries.PanelExpressions())
        {
            // Grafana's variables, as the dashboard would set them for the reference job at a 1 s scrape interval.
            string promql = expression.Replace("$job", jobId, StringComparison.Ordinal).Replace("$__rate_interval", "10s", StringComparison.Ordinal);
            var series = await prometheus.QueryRangeAsync(promql, start, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(2));
            output.WriteLine($"{dashboard} / {panel}: {series.Count} series, {series.Sum(s => s.Points.Count)} points  {promql}");
            if (NoDataOnACpuTrainer.TryGetValue(panel, out string? why))
            {
                // The query ran (Prometheus accepted it); an empty answer is what a CPU trainer gives.
                Assert.True(series.Count == 0, $"{panel}: expected no series ({why}), got {series.Count}");
                continue;
            }

            if (series.Count == 0 || series.All(s => s.Points.Count == 0))
            {
                failures.Add($"{dashboard} / {panel}: no data for {promql}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    /// <summary>
    /// An alert's expression holds only when something is wrong, so it is not expected to return data here. What is
    /// checked: Prometheus parses and evaluates the whole expression, and each vector selector in it, evaluated alone,
    /// returns at least one series.
    /// </summary>
    [Fact]
    public async Task Every_alert_expression_parses_and_each_of_its_selectors_returns_series()
    {
        var (prometheus, _, start) = await ScrapedPlatformAsync();

        var failures = new List<string>();
        foreach (var (alert, expression) in ChartQueries.AlertExpressions())
        {
            var whole = await prometheus.QueryAsync(expression);
            output.WriteLine($"{alert}: {whole.GetArrayLength()} series firing now  {expression}");
            var selectors = ChartQueries.Selectors(expression);
            Assert.NotEmpty(selectors);
            foreach (string selector in selectors)
            {
                var series = await prometheus.QueryRangeAsync(selector, start, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(2));
                output.WriteLine($"  {selector}: {series.Count} series");
                if (series.Count == 0)
                {
                    failures.Add($"{alert}: the selector {selector} returns no series");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    /// <summary>
    /// The reference job has trained, and a call has failed (so the gRPC errors panel has a series of its own) and
    /// been scraped since.
    /// </summary>
    private async Task<(PrometheusServer Prometheus, string JobId, DateTimeOffset Start)> ScrapedPlatformAsync()
    {
        Platform platform = fixture.Platform;
        ReferenceRun run = await fixture.ReferenceRunAsync();
        PrometheusServer prometheus = platform.Prometheus;
        var missing = await Assert.ThrowsAsync<RpcException>(async () =>
            await platform.Jobs.GetJobAsync(new GetJobRequest { JobId = "job-that-does-not-exist" }, Platform.Deadline(30)));
        output.WriteLine($"a failing call for the errors panel: {missing.StatusCode}");
        await prometheus.WaitUntilAsync(
            async () => (await prometheus.QueryAsync("grpc_server_handled_total{grpc_service=\"cauchy.v1.Jobs\",grpc_method=\"GetJob\",grpc_code!=\"OK\"}")).GetArrayLength() > 0,
            TimeSpan.FromSeconds(30), "the failed GetJob call in Prometheus");
        // Two more scrapes, so rates over the failed call's counter have two samples.
        await Task.Delay(TimeSpan.FromSeconds(3));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"job {run.Job.Id}: {run.Submitted:HH:mm:ss} to {run.Finished:HH:mm:ss}"));
        return (prometheus, run.Job.Id, run.Submitted.AddSeconds(-5));
    }
}
