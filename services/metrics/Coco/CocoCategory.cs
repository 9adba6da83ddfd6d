namespace Cauchy.Metrics.Coco;

/// <summary>
/// A category of the ground truth. <paramref name="KeypointSigmas"/> are the per-keypoint OKS constants (empty for
/// categories without keypoints).
/// </summary>
public sealed record CocoCategory(int Id, string Name, IReadOnlyList<double> KeypointSigmas)
{
    /// <summary>The sigmas pycocotools uses for the 17 keypoints of COCO's person category.</summary>
    public static IReadOnlyList<double> PersonSigmas { get; } =
        [.. new[] { .26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62, 1.07, 1.07, .87, .87, .89, .89 }.Select(s => s / 10.0)];
}
