using Cauchy.Cli.Coco;
using Cauchy.Metrics.Evaluations;
using Cauchy.V1;
using Xunit;

namespace Cauchy.Metrics.Tests;

/// <summary>
/// The COCO evaluation against the official COCO API's answers (reference/coco): every summary value and every
/// category's AP, AP50 and AR@100 within 1e-9, and the summary printed line for line.
/// </summary>
public sealed class CocoReferenceTests
{
    private const double Tolerance = 1e-9;

    public static IEnumerable<object[]> Cases() => CocoReference.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_value_equals_pycocotools(string name, string iouType)
    {
        var reference = CocoReference.Load(name);
        var evaluation = Evaluate(reference.Read(CocoReference.IouType(iouType)), CocoReference.IouType(iouType));

        var expected = reference.Stats(iouType);
        var result = evaluation.Detection;
        Assert.Equal(12, result.Stats.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - result.Stats[i]) <= Tolerance, $"stats[{i}]: expected {expected[i]:R}, got {result.Stats[i]:R}");
        }

        var perCategory = reference.PerCategory(iouType);
        Assert.Equal(perCategory.Keys.Order(), result.PerClass.Select(c => c.ClassId));
        foreach (var c in result.PerClass)
        {
            var (ap, ap50, ar100) = perCategory[c.ClassId];
            Assert.True(Math.Abs(ap - c.Ap) <= Tolerance, $"category {c.ClassId} AP: expected {ap:R}, got {c.Ap:R}");
            Assert.True(Math.Abs(ap50 - c.Ap50) <= Tolerance, $"category {c.ClassId} AP50: expected {ap50:R}, got {c.Ap50:R}");
            Assert.True(Math.Abs(ar100 - c.Ar100) <= Tolerance, $"category {c.ClassId} AR100: expected {ar100:R}, got {c.Ar100:R}");
        }

        Assert.Equal(reference.SummaryLines(iouType), CocoSummaryText.Lines(result));
        Assert.Equal(result.Map, result.Stats[0]);
        Assert.Equal(result.Mar1, result.Stats[6]);
        Assert.Equal(result.MarLarge, result.Stats[11]);
    }

    [Fact]
    public void The_summary_rounds_as_python_does_halves_to_even()
    {
        Assert.Equal("0.062", CocoSummaryText.Fixed(0.0625, 3));
        Assert.Equal("0.188", CocoSummaryText.Fixed(0.1875, 3));
        Assert.Equal("0.063", CocoSummaryText.Fixed(0.06250000000000001, 3));
        Assert.Equal("-1.000", CocoSummaryText.Fixed(-1, 3));
        Assert.Equal("1.000", CocoSummaryText.Fixed(0.9996, 3));
        Assert.Equal("0.95", CocoSummaryText.Fixed(0.95, 2));
    }

    /// <summary>Streams the files through an evaluation session, as the service does, in small batches.</summary>
    internal static Evaluation Evaluate(CocoFiles files, CocoIouType iouType, Action<CocoOptions>? configure = null)
    {
        var options = new CocoOptions { IouType = iouType };
        options.Categories.AddRange(files.Categories);
        configure?.Invoke(options);
        var session = EvaluationSession.Start(new EvaluationHeader { Kind = EvaluationKind.DetectionCoco, Coco = options });
        foreach (var batch in files.Batches(maxBytes: 4096))
        {
            session.Add(new PredictionBatch { Coco = batch });
        }

        return session.Finish("test");
    }
}
