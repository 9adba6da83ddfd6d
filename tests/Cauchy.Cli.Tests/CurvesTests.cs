using Cauchy.Cli.Output;
using Cauchy.V1;
using Xunit;

namespace Cauchy.Cli.Tests;

public sealed class CurvesTests
{
    [Fact]
    public void A_job_without_a_validation_split_gets_its_test_accuracy_charted()
    {
        var curves = new Curves();
        curves.Add(Epoch(1, "test/accuracy", 0.86));
        curves.Add(Epoch(2, "test/accuracy", 0.90));

        var charts = curves.Charts(width: 20, height: 3);

        Assert.Contains("test/accuracy by epoch: 0.9 (min 0.86, max 0.9, 2 points)", charts);
    }

    [Fact]
    public void With_a_validation_split_only_the_validation_accuracy_is_charted()
    {
        var curves = new Curves();
        curves.Add(Epoch(1, "validation/accuracy", 0.85));
        curves.Add(Epoch(2, "validation/accuracy", 0.88));
        curves.Add(Epoch(2, "test/accuracy", 0.87));

        var charts = curves.Charts(width: 20, height: 3);

        Assert.Contains("validation/accuracy by epoch: 0.88 (min 0.85, max 0.88, 2 points)", charts);
        Assert.DoesNotContain(charts, line => line.StartsWith("test/accuracy", StringComparison.Ordinal));
    }

    private static EpochCompleted Epoch(int epoch, string name, double value)
    {
        var completed = new EpochCompleted { Epoch = epoch };
        completed.Metrics.Add(new MetricValue { Name = name, Value = value, Epoch = epoch });
        return completed;
    }
}
