using Cauchy.Deploy.Tests.Support;
using Xunit;

namespace Cauchy.Deploy.Tests;

/// <summary>Every example values file renders, and renders the kinds its profile promises.</summary>
public sealed class ChartRenderTests
{
    [SkippableTheory]
    [InlineData("minimal", "ConfigMap Deployment Job NetworkPolicy PrometheusRule Secret Service ServiceAccount ServiceMonitor StatefulSet")]
    [InlineData("gpu-cluster", "ConfigMap Deployment HorizontalPodAutoscaler NetworkPolicy PodDisruptionBudget PrometheusRule Service ServiceAccount ServiceMonitor")]
    [InlineData("cpu-only", "ConfigMap Deployment Job NetworkPolicy PodDisruptionBudget Secret Service ServiceAccount StatefulSet")]
    [InlineData("local-podman", "ConfigMap Deployment PersistentVolumeClaim Secret Service")]
    public void EachExample_RendersTheKindsOfItsProfile(string example, string kinds)
    {
        var chart = Chart.RenderExample(example);

        Assert.Equal(kinds.Split(' '), chart.Kinds());
    }

    [SkippableFact]
    public void Defaults_RenderEveryServiceWithItsPortsAndOneTrainerPool()
    {
        var chart = Chart.Render("defaults");

        var deployments = chart.OfKind("Deployment").Select(RenderedChart.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["cauchy-datasets", "cauchy-metrics", "cauchy-orchestrator", "cauchy-registry", "cauchy-trainer-cpu"], deployments);
        foreach (var (component, port) in new[] { ("datasets", 50051), ("orchestrator", 50052), ("trainer", 50053), ("metrics", 50054), ("registry", 50055) })
        {
            var ports = chart.Single("Service", $"cauchy-{component}")["spec"]!["ports"]!.AsArray();
            Assert.Contains(ports, p => (string?)p!["name"] == "grpc" && (string?)p["port"] == $"{port}" && (string?)p["appProtocol"] == "grpc");
            Assert.Contains(ports, p => (string?)p!["name"] == "http-metrics" && (string?)p["port"] == $"{port + 1000}");
        }
    }

    [SkippableFact]
    public void WithoutTheOperatorApi_PodsCarryScrapeAnnotationsAndNoMonitoringObjects()
    {
        var chart = Chart.Render("defaults");

        Assert.Empty(chart.OfKind("ServiceMonitor"));
        Assert.Empty(chart.OfKind("PrometheusRule"));
        foreach (var deployment in chart.OfKind("Deployment"))
        {
            var annotations = deployment["spec"]!["template"]!["metadata"]!["annotations"]!;
            Assert.Equal("true", (string?)annotations["prometheus.io/scrape"]);
            Assert.Equal("/metrics", (string?)annotations["prometheus.io/path"]);
        }
    }

    [SkippableFact]
    public void WithTheOperatorApi_AServiceMonitorNamesJobsAfterComponentsAndPodsCarryNoScrapeAnnotations()
    {
        var chart = Chart.Render("operator", Chart.WithMonitoringApi);

        var monitor = Assert.Single(chart.OfKind("ServiceMonitor"));
        Assert.Equal("app.kubernetes.io/component", (string?)monitor["spec"]!["jobLabel"]);
        Assert.Equal("http-metrics", (string?)monitor["spec"]!["endpoints"]![0]!["port"]);
        Assert.Single(chart.OfKind("PrometheusRule"));
        Assert.All(chart.OfKind("Deployment"), d => Assert.Null(d["spec"]!["template"]!["metadata"]!["annotations"]!["prometheus.io/scrape"]));
    }

    [SkippableFact]
    public void TwoTrainerPoolsWithOneName_AreRefused()
    {
        var result = Chart.Template("-f", Chart.ExampleFile("gpu-cluster"), "--set", "trainer.pools[1].name=a100");

        Assert.False(result.Succeeded, result.Transcript);
        Assert.Contains("the pool name \"a100\" is used twice", result.Error);
    }

    [SkippableFact]
    public void SqliteWithSeveralReplicas_IsRefused()
    {
        var result = Chart.Template("-f", Chart.ExampleFile("local-podman"), "--set", "registry.replicas=2");

        Assert.False(result.Succeeded, result.Transcript);
        Assert.Contains("registry.replicas must be 1 with database.provider sqlite", result.Error);
    }

    [SkippableFact]
    public void ExternalPostgresWithoutASecret_IsRefusedNamingTheValue()
    {
        var result = Chart.Template("--set", "postgresql.enabled=false");

        Assert.False(result.Succeeded, result.Transcript);
        Assert.Contains("database.external.existingSecret is required", result.Error);
    }
}
