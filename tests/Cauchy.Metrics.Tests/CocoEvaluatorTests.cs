using Cauchy.Metrics.Coco;
using Xunit;

namespace Cauchy.Metrics.Tests;

/// <summary>Small cases worked out by hand: keypoints (OKS), class-agnostic matching, and COCO's RLE strings.</summary>
public sealed class CocoEvaluatorTests
{
    private static readonly CocoImage Image = new(1, 100, 100);

    [Fact]
    public void Keypoints_are_matched_by_oks_with_the_categorys_sigmas()
    {
        // One person with two visible keypoints, area 100, sigmas 0.5: OKS = mean exp(-d² / (2 · 100 · 1)).
        // Detection A (0.9) is 10 px off on x at both keypoints: OKS = exp(-0.5) = 0.607, a match at IoU 0.50–0.60 only.
        // Detection B (0.8) is exact: OKS 1. At 0.50–0.60 A is the true positive and B a false one (precision 1 at
        // recall 1); at 0.65–0.95 A is false and B true (precision 0.5 everywhere). AP = (3 · 1 + 7 · 0.5) / 10.
        var person = new CocoCategory(1, "person", [.5, .5]);
        var evaluator = new CocoEvaluator(CocoParameters.Defaults(CocoIouType.Keypoints), [person]);
        var truth = new CocoGroundTruth(1, 1, new Box(10, 10, 10, 10), 100, false, Keypoints: [10, 10, 2, 20, 20, 2], NumKeypoints: 2);
        evaluator.AddImage(Image, [truth],
        [
            CocoDetection.FromResult(1, .9, null, null, [20, 10, 1, 30, 20, 1]),
            CocoDetection.FromResult(1, .8, null, null, [10, 10, 1, 20, 20, 1]),
        ]);

        var report = evaluator.Finish();

        Assert.Equal(Math.Exp(-.5), KeypointSimilarity.Oks([20, 10, 1, 30, 20, 1], truth, person.KeypointSigmas), 1e-12);
        double[] expected = [.65, 1, .5, -1, -1, 1, 1, 1, -1, -1];
        Assert.Equal(expected.Length, report.Stats.Count);
        Assert.All(expected.Zip(report.Stats), p => Assert.Equal(p.First, p.Second, 1e-12));
    }

    [Fact]
    public void An_object_without_labelled_keypoints_is_ignored()
    {
        var person = new CocoCategory(1, "person", [.5, .5]);
        var evaluator = new CocoEvaluator(CocoParameters.Defaults(CocoIouType.Keypoints), [person]);
        var truth = new CocoGroundTruth(1, 1, new Box(10, 10, 10, 10), 100, false, Keypoints: [0, 0, 0, 0, 0, 0], NumKeypoints: 0);
        evaluator.AddImage(Image, [truth], [CocoDetection.FromResult(1, .9, null, null, [10, 10, 1, 20, 20, 1])]);

        Assert.All(evaluator.Finish().Stats, s => Assert.Equal(-1, s));
    }

    [Fact]
    public void Class_agnostic_evaluation_matches_across_categories()
    {
        // The detection has the box of the object but the wrong category: AP 0 by category, 1 class-agnostic.
        CocoCategory[] categories = [new(1, "cat", []), new(2, "dog", [])];
        var truth = new CocoGroundTruth(1, 1, new Box(0, 0, 40, 40), 1600, false);
        var detection = CocoDetection.FromResult(2, .7, new Box(0, 0, 40, 40), null, null);

        var byCategory = new CocoEvaluator(CocoParameters.Defaults(CocoIouType.Bbox), categories);
        byCategory.AddImage(Image, [truth], [detection]);
        var agnostic = new CocoEvaluator(CocoParameters.Defaults(CocoIouType.Bbox) with { UseCategories = false }, categories);
        agnostic.AddImage(Image, [truth], [detection]);

        var perCategory = byCategory.Finish();
        Assert.Equal(0, perCategory.Stats[0]);
        Assert.Equal([0.0, -1.0], perCategory.PerCategory.Select(c => c.Ap));
        var pooled = agnostic.Finish();
        Assert.Equal(1, pooled.Stats[0], 1e-12);
        Assert.Equal(1, pooled.Stats[8], 1e-12);
        Assert.Empty(pooled.PerCategory);
    }

    [Fact]
    public void Compressed_rle_decodes_with_the_delta_from_the_fourth_run_on()
    {
        // A 4 × 3 mask with runs 2, 3, 1, 6: '2' '3' '1', then 6 - 3 = 3 written as '3'.
        var mask = RunLengthMask.FromCompressed(4, 3, "2313", out var error);

        Assert.Null(error);
        Assert.Equal([2u, 3, 1, 6], mask!.Counts.ToArray());
        Assert.Equal(9, mask.Area);
        // Foreground pixels 2–4 and 6–11, column-major: columns 0 to 2, rows 0 to 3.
        Assert.Equal(new Box(0, 0, 3, 4), mask.ToBox());
        Assert.Null(RunLengthMask.FromCompressed(4, 3, "23", out error));
        Assert.Contains("cover 5 pixels", error);
    }

    [Fact]
    public void A_rasterised_square_covers_the_pixels_whose_centres_it_contains()
    {
        // Corners on pixel edges 2 and 6: pixels 2..5 in both directions, 16 pixels, box (2, 2, 4, 4).
        var mask = RunLengthMask.FromPolygon(10, 10, [2, 2, 6, 2, 6, 6, 2, 6]);

        Assert.Equal(16, mask.Area);
        Assert.Equal(new Box(2, 2, 4, 4), mask.ToBox());
        Assert.Equal(1.0, RunLengthMask.Iou(mask, mask, crowd: false));
    }
}
