using System.Text.Json.Nodes;
using Cauchy.Deploy.Tests.Support;
using Cauchy.Testing;
using Xunit;

namespace Cauchy.Deploy.Tests;

public sealed class DashboardTests
{
    /// <summary>Series that exist without a Cauchy service defining them: Prometheus's own and prometheus-net's process metrics.</summary>
    private static readonly HashSet<string> BuiltIn = ["up", "process_cpu_seconds_total", "process_working_set_bytes"];

    [SkippableFact]
    public void Dashboards_TypeCheckAgainstGrafanasSchema()
    {
        var node = DeployTools.Node();

        var result = Command.Run(node, ["tests/chart-node/check.mjs", "dashboards", .. Directory.GetFiles(ChartQueries.DashboardsDirectory, "*.json")]);

        Assert.True(result.Succeeded, result.Transcript);
    }

    [SkippableFact]
    public void TheTypeCheck_RejectsAnUnknownPanelField()
    {
        var node = DeployTools.Node();
        var folder = TempDirectory.Create("cauchy-dashboard");
        try
        {
            var dashboard = JsonNode.Parse(File.ReadAllText(Path.Combine(ChartQueries.DashboardsDirectory, "training-curves.json")))!;
            dashboard["panels"]![0]!["gridPos"]!["wide"] = 3;
            var file = Path.Combine(folder, "broken.json");
            File.WriteAllText(file, dashboard.ToJsonString());

            var result = Command.Run(node, "tests/chart-node/check.mjs", "dashboards", file);

            Assert.False(result.Succeeded, result.Transcript);
            Assert.Contains("'\\\"wide\\\"' does not exist in type 'GridPos'", result.Output);
        }
        finally
        {
            TempDirectory.Delete(folder);
        }
    }

    [Fact]
    public void EveryQuery_ReadsSeriesTheServicesExport()
    {
        var sources = string.Join('\n', Directory.GetFiles(Path.Combine(DeployTools.Root, "services"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Select(File.ReadAllText));
        var expressions = ChartQueries.PanelExpressions().Select(p => ($"{p.Dashboard} / {p.Panel}", p.Expression))
            .Concat(ChartQueries.AlertExpressions().Select(a => ($"alert {a.Alert}", a.Expression)))
            .ToList();
        Assert.NotEmpty(expressions);

        foreach (var (where, expression) in expressions)
        {
            var names = ChartQueries.MetricNames(expression);
            Assert.True(names.Count > 0, $"{where}: no metric in {expression}");
            foreach (var name in names)
            {
                // A histogram's buckets are defined under the histogram's name.
                var defined = name.EndsWith("_bucket", StringComparison.Ordinal) ? name[..^"_bucket".Length] : name;
                Assert.True(BuiltIn.Contains(defined) || sources.Contains($"\"{defined}\"", StringComparison.Ordinal),
                    $"{where}: {name} is not a series any service defines ({expression})");
            }
        }
    }

    [Fact]
    public void TheTrainingCurves_ShowOneJobChosenByAVariable()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(Path.Combine(ChartQueries.DashboardsDirectory, "training-curves.json")))!;

        var variable = dashboard["templating"]!["list"]!.AsArray().Single(v => (string?)v!["name"] == "job")!;
        Assert.Equal("label_values(cauchy_job_epoch, job_id)", (string?)variable["query"]);
        var titles = dashboard["panels"]!.AsArray().Select(p => (string?)p!["title"]).ToList();
        Assert.Superset(new HashSet<string?> { "Loss", "Accuracy", "Learning rate", "Samples per second", "GPU memory", "Epoch" }, titles.ToHashSet());
        Assert.All(ChartQueries.PanelExpressions().Where(p => p.Dashboard == "training-curves.json"),
            p => Assert.Contains("job_id=\"$job\"", p.Expression));
    }

    [SkippableFact]
    public void DashboardConfigMaps_CarryTheSidecarLabelAndTheFilesAsTheyAre()
    {
        var chart = Chart.Render("defaults");

        var maps = chart.OfKind("ConfigMap").Where(m => (string?)m["metadata"]!["labels"]!["grafana_dashboard"] == "1").ToList();
        Assert.Equal(2, maps.Count);
        foreach (var file in Directory.GetFiles(ChartQueries.DashboardsDirectory, "*.json"))
        {
            var map = maps.Single(m => m["data"]![Path.GetFileName(file)] is not null);
            Assert.Equal(File.ReadAllText(file).TrimEnd(), ((string)map["data"]![Path.GetFileName(file)]!).TrimEnd());
        }
    }
}
