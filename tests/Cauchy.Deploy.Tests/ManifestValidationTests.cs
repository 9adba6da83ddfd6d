using System.Text.Json;
using Cauchy.Deploy.Tests.Support;
using Cauchy.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Cauchy.Deploy.Tests;

/// <summary>
/// Every object of every render against the Kubernetes schemas, unknown fields rejected, the prometheus-operator
/// kinds and the autoscaler included (tests/chart-node/check.mjs says how).
/// </summary>
public sealed class ManifestValidationTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = TempDirectory.Create("cauchy-chart");

    [SkippableFact]
    public void EveryRenderedObject_MatchesItsSchemaWithNoUnknownField()
    {
        var node = DeployTools.Node();
        var files = new List<string>();
        foreach (var example in Chart.Examples)
        {
            files.Add(Write(Chart.RenderExample(example)));
        }

        files.Add(Write(Chart.Render("defaults")));
        files.Add(Write(Chart.Render("defaults-operator", Chart.WithMonitoringApi)));

        var result = Command.Run(node, ["tests/chart-node/check.mjs", "manifests", .. files]);

        using var report = JsonDocument.Parse(result.Output);
        foreach (var object_ in report.RootElement.GetProperty("results").EnumerateArray())
        {
            output.WriteLine($"{object_.GetProperty("file").GetString(),-22} {object_.GetProperty("kind").GetString(),-24} {object_.GetProperty("name").GetString(),-40} " +
                $"errors={object_.GetProperty("errors").GetArrayLength()} unknown={object_.GetProperty("unknownFields").GetArrayLength()}");
        }

        Assert.True(result.Succeeded, result.Transcript);
        Assert.Equal(0, report.RootElement.GetProperty("failed").GetInt32());
        var kinds = report.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("kind").GetString()).ToHashSet();
        Assert.Superset(
            new HashSet<string?> { "Deployment", "StatefulSet", "Job", "Service", "ConfigMap", "Secret", "NetworkPolicy", "PodDisruptionBudget",
                "ServiceAccount", "PersistentVolumeClaim", "HorizontalPodAutoscaler", "ServiceMonitor", "PrometheusRule" },
            kinds);
    }

    [SkippableFact]
    public void TheValidator_ReportsUnknownFieldsAndWrongTypes()
    {
        var node = DeployTools.Node();
        var chart = Chart.RenderExample("gpu-cluster");
        var broken = chart.Text
            .Replace("          startupProbe:", "          startupProbes:", StringComparison.Ordinal)
            .Replace("  jobLabel: app.kubernetes.io/component", "  jobLabel: app.kubernetes.io/component\n  scrapeEvery: 15s", StringComparison.Ordinal)
            .Replace("  maxReplicas: 8", "  maxReplicas: eight", StringComparison.Ordinal);
        var file = Path.Combine(_folder, "broken.yaml");
        File.WriteAllText(file, broken);

        var result = Command.Run(node, "tests/chart-node/check.mjs", "manifests", file);

        Assert.False(result.Succeeded, result.Transcript);
        Assert.Contains(".spec.template.spec.containers[0].startupProbes", result.Output);
        Assert.Contains("'\\\"scrapeEvery\\\"' does not exist in type", result.Output);
        Assert.Contains("maxReplicas must be integer", result.Output);
    }

    public void Dispose() => TempDirectory.Delete(_folder);

    private string Write(RenderedChart chart)
    {
        var file = Path.Combine(_folder, chart.Profile + ".yaml");
        File.WriteAllText(file, chart.Text);
        return file;
    }
}
