namespace Cauchy.Metrics.Coco;

/// <summary>
/// The result of a COCO evaluation: pycocotools' summary <see cref="Stats"/> in its order (12 numbers for bbox and segm,
/// 10 for keypoints, -1 where a value cannot be computed), and per-category scores (none when class-agnostic).
/// </summary>
public sealed record CocoReport(CocoParameters Parameters, IReadOnlyList<double> Stats, IReadOnlyList<CocoCategoryResult> PerCategory, long ImageCount)
{
    /// <summary>The names of <see cref="Stats"/>' entries, in the summary's order.</summary>
    public IReadOnlyList<string> StatNames => Parameters.IouType == CocoIouType.Keypoints
        ? ["map", "map50", "map75", "map_medium", "map_large", "mar", "mar50", "mar75", "mar_medium", "mar_large"]
        : ["map", "map50", "map75", "map_small", "map_medium", "map_large", "mar_1", "mar_10", "mar_100", "mar_small", "mar_medium", "mar_large"];
}
