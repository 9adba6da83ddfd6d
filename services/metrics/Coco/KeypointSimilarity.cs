namespace Cauchy.Metrics.Coco;

/// <summary>Object keypoint similarity, as pycocotools' <c>computeOks</c>.</summary>
public static class KeypointSimilarity
{
    private const double Spacing = 2.220446049250313e-16;

    /// <summary>
    /// OKS of detected keypoints with a ground-truth object: the mean over the object's visible keypoints of
    /// exp(-d² / (2 · area · (2σ)²)). When the object has no visible keypoint, d is the detection's distance outside
    /// the object's box enlarged by its own size on every side, over all keypoints.
    /// </summary>
    public static double Oks(double[] detected, CocoGroundTruth truth, IReadOnlyList<double> sigmas)
    {
        var g = truth.Keypoints!;
        var k = sigmas.Count;
        var visible = 0;
        for (var i = 0; i < k; i++)
        {
            if (g[i * 3 + 2] > 0)
            {
                visible++;
            }
        }

        var b = truth.Box;
        var x0 = b.X - b.Width;
        var x1 = b.X + b.Width * 2;
        var y0 = b.Y - b.Height;
        var y1 = b.Y + b.Height * 2;
        double sum = 0;
        var count = 0;
        for (var i = 0; i < k; i++)
        {
            double dx, dy;
            var xd = detected[i * 3];
            var yd = detected[i * 3 + 1];
            if (visible > 0)
            {
                if (g[i * 3 + 2] <= 0)
                {
                    continue;
                }

                dx = xd - g[i * 3];
                dy = yd - g[i * 3 + 1];
            }
            else
            {
                dx = Math.Max(0, x0 - xd) + Math.Max(0, xd - x1);
                dy = Math.Max(0, y0 - yd) + Math.Max(0, yd - y1);
            }

            var variance = (sigmas[i] * 2) * (sigmas[i] * 2);
            var e = (dx * dx + dy * dy) / variance / (truth.Area + Spacing) / 2;
            sum += Math.Exp(-e);
            count++;
        }

        return sum / count;
    }
}
