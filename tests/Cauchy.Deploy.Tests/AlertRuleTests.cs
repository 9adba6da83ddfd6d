using System.Text.Json.Nodes;
using Cauchy.Deploy.Tests.Support;
using Cauchy.Testing;
using Xunit;

namespace Cauchy.Deploy.Tests;

public sealed class AlertRuleTests
{
    [SkippableFact]
    public void TheRuleFile_PassesPromtool()
    {
        var result = Command.Run(DeployTools.Promtool(), "check", "rules", ChartQueries.AlertsFile);

        Assert.True(result.Succeeded, result.Transcript);
        Assert.Contains("SUCCESS: 5 rules found", result.Output);
    }

    [SkippableFact]
    public void TheRenderedPrometheusRule_PassesPromtool()
    {
        var promtool = DeployTools.Promtool();
        var rule = Assert.Single(Chart.Render("operator", Chart.WithMonitoringApi).OfKind("PrometheusRule"));
        var folder = TempDirectory.Create("cauchy-rules");
        try
        {
            // The spec is a rule file's content; JSON is YAML.
            var file = Path.Combine(folder, "rules.yaml");
            File.WriteAllText(file, rule["spec"]!.ToJsonString());

            var result = Command.Run(promtool, "check", "rules", file);

            Assert.True(result.Succeeded, result.Transcript);
        }
        finally
        {
            TempDirectory.Delete(folder);
        }
    }

    [Fact]
    public void TheAlerts_CoverTheQueueTrainersFailuresAndServices()
    {
        var alerts = ChartQueries.AlertExpressions().Select(a => a.Alert).ToList();

        Assert.Equal(["CauchyQueueWithoutTrainers", "CauchyQueueGrowing", "CauchyTrainerHeartbeatsLost", "CauchyJobsFailing", "CauchyServiceDown"], alerts);
    }

    [SkippableFact]
    public void APromtoolCheck_FailsOnABrokenExpression()
    {
        var promtool = DeployTools.Promtool();
        var folder = TempDirectory.Create("cauchy-rules");
        try
        {
            var file = Path.Combine(folder, "rules.yaml");
            File.WriteAllText(file, File.ReadAllText(ChartQueries.AlertsFile).Replace("max(cauchy_jobs_queued) > 0", "max(cauchy_jobs_queued >", StringComparison.Ordinal));

            var result = Command.Run(promtool, "check", "rules", file);

            Assert.False(result.Succeeded, result.Transcript);
        }
        finally
        {
            TempDirectory.Delete(folder);
        }
    }
}
