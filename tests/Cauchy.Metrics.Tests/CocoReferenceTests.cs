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

    [Fact]
    public void Keypoints_files_are_evaluated_with_the_categorys_sigmas()
    {
        // The hand-checked case of CocoEvaluatorTests as COCO files: OKS exp(-0.5) for the first detection, 1 for the
        // second; AP = (3 · 1 + 7 · 0.5) / 10. The second image's person has no labelled keypoint and is ignored.
        using var truth = System.Text.Json.JsonDocument.Parse("""
            {"images": [{"id": 1, "width": 100, "height": 100}, {"id": 2, "width": 100, "height": 100}],
             "categories": [{"id": 1, "name": "person", "keypoints": ["a", "b"], "sigmas": [0.5, 0.5]}],
             "annotations": [
               {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 10, 10], "area": 100, "iscrowd": 0,
                "keypoints": [10, 10, 2, 20, 20, 2], "num_keypoints": 2},
               {"id": 2, "image_id": 2, "category_id": 1, "bbox": [10, 10, 10, 10], "area": 100, "iscrowd": 0,
                "keypoints": [0, 0, 0, 0, 0, 0], "num_keypoints": 0}]}
            """);
        using var results = System.Text.Json.JsonDocument.Parse("""
            [{"image_id": 1, "category_id": 1, "keypoints": [20, 10, 1, 30, 20, 1], "score": 0.9},
             {"image_id": 1, "category_id": 1, "keypoints": [10, 10, 1, 20, 20, 1], "score": 0.8}]
            """);
        var files = CocoFiles.Read(truth.RootElement, results.RootElement, CocoIouType.Keypoints);

        var result = Evaluate(files, CocoIouType.Keypoints).Detection;

        double[] expected = [.65, 1, .5, -1, -1, 1, 1, 1, -1, -1];
        Assert.Equal(expected.Length, result.Stats.Count);
        Assert.All(expected.Zip(result.Stats), p => Assert.Equal(p.First, p.Second, 1e-12));
        Assert.Equal(1, Assert.Single(result.PerClass).GroundTruthCount);
        Assert.Equal(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets= 20 ] = 0.650", CocoSummaryText.Lines(result)[0]);
        Assert.Equal(" Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets= 20 ] = -1.000", CocoSummaryText.Lines(result)[^1]);
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
