namespace Cauchy.Metrics.Coco;

/// <summary>A COCO box: top-left corner, width and height, in pixels.</summary>
public readonly record struct Box(double X, double Y, double Width, double Height)
{
    /// <summary>
    /// Intersection over union of a detection's box with a ground-truth box; for a crowd region the union is the
    /// detection's own area. The operations run in the COCO API's order so that the result is the same double.
    /// </summary>
    public static double Iou(Box detection, Box groundTruth, bool crowd)
    {
        var w = Math.Min(detection.Width + detection.X, groundTruth.Width + groundTruth.X) - Math.Max(detection.X, groundTruth.X);
        if (w <= 0)
        {
            return 0;
        }

        var h = Math.Min(detection.Height + detection.Y, groundTruth.Height + groundTruth.Y) - Math.Max(detection.Y, groundTruth.Y);
        if (h <= 0)
        {
            return 0;
        }

        var detectionArea = detection.Width * detection.Height;
        var intersection = w * h;
        var union = crowd ? detectionArea : detectionArea + groundTruth.Width * groundTruth.Height - intersection;
        return intersection / union;
    }
}
