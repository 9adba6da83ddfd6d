using Cauchy.Deploy.Tests.Support;
using Xunit;

namespace Cauchy.Deploy.Tests;

public sealed class ChartLintTests
{
    [SkippableFact]
    public void HelmLintStrict_PassesWithTheDefaultValues()
    {
        var result = Command.Run(DeployTools.Helm(), "lint", "--strict", DeployTools.ChartDirectory);
        Assert.True(result.Succeeded, result.Transcript);
    }

    [SkippableTheory]
    [MemberData(nameof(Examples))]
    public void HelmLintStrict_PassesWithEachExampleValuesFile(string example)
    {
        var result = Command.Run(DeployTools.Helm(), "lint", "--strict", DeployTools.ChartDirectory, "-f", Chart.ExampleFile(example));
        Assert.True(result.Succeeded, result.Transcript);
    }

    public static TheoryData<string> Examples() => new(Chart.Examples);
}
