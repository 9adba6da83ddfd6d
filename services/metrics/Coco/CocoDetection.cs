namespace Cauchy.Metrics.Coco;

/// <summary>
/// A detection. <paramref name="Area"/> places it in an area range when it matches nothing; build it with
/// <see cref="FromResult"/> to get the box and area pycocotools derives for a results file entry.
/// </summary>
public sealed record CocoDetection(int CategoryId, double Score, Box Box, double Area, RunLengthMask? Mask = null, double[]? Keypoints = null)
{
    /// <summary>
    /// A results-file entry as pycocotools loads it: with a box, the area is the box's (a segm evaluation then uses
    /// the box's outline as the mask when there is none); with only a mask, box and area come from the mask; with only keypoints, from
    /// the keypoints' extent.
    /// </summary>
    public static CocoDetection FromResult(int categoryId, double score, Box? box, RunLengthMask? mask, double[]? keypoints)
    {
        if (box is { } b)
        {
            return new CocoDetection(categoryId, score, b, b.Width * b.Height, mask, keypoints);
        }

        if (mask is not null)
        {
            return new CocoDetection(categoryId, score, mask.ToBox(), mask.Area, mask, keypoints);
        }

        if (keypoints is { Length: >= 3 })
        {
            double x0 = double.PositiveInfinity, x1 = double.NegativeInfinity, y0 = double.PositiveInfinity, y1 = double.NegativeInfinity;
            for (var i = 0; i + 1 < keypoints.Length; i += 3)
            {
                x0 = Math.Min(x0, keypoints[i]);
                x1 = Math.Max(x1, keypoints[i]);
                y0 = Math.Min(y0, keypoints[i + 1]);
                y1 = Math.Max(y1, keypoints[i + 1]);
            }

            return new CocoDetection(categoryId, score, new Box(x0, y0, x1 - x0, y1 - y0), (x1 - x0) * (y1 - y0), null, keypoints);
        }

        throw new ArgumentException("a detection needs a box, a mask or keypoints");
    }
}
