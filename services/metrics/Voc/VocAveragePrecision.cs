namespace Cauchy.Metrics.Voc;

/// <summary>
/// The average precision of one class as the Pascal VOC devkit computes it (VOCevaldet / VOCap), from the class's
/// detections in rank order, each a true or a false positive (difficult matches are left out before: they change
/// neither the precision nor the recall).
/// </summary>
public static class VocAveragePrecision
{
    /// <summary>
    /// AP of <paramref name="truePositives"/> (in descending score order) against <paramref name="positives"/>
    /// ground-truth objects (at least one).
    /// </summary>
    /// <param name="elevenPoint">VOC2007's AP: the mean of the highest precision at recall ≥ 0, 0.1, …, 1. Otherwise
    /// VOC2010's: the area under the precision-recall curve made monotonically decreasing, over every recall step.</param>
    public static double Compute(IReadOnlyList<bool> truePositives, long positives, bool elevenPoint)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(positives, 1);
        var n = truePositives.Count;
        var recall = new double[n];
        var precision = new double[n];
        long tp = 0;
        for (var i = 0; i < n; i++)
        {
            tp += truePositives[i] ? 1 : 0;
            recall[i] = (double)tp / positives;
            precision[i] = (double)tp / (i + 1);
        }

        return elevenPoint ? ElevenPoint(recall, precision) : AllPoint(recall, precision);
    }

    private static double AllPoint(double[] recall, double[] precision)
    {
        // The devkit pads the curve with (0, 0) and (1, 0), takes at each point the highest precision at that recall
        // or above, and sums the rectangles where the recall changes; the (1, 0) end adds nothing.
        var envelope = new double[precision.Length];
        var highest = 0.0;
        for (var i = precision.Length - 1; i >= 0; i--)
        {
            highest = Math.Max(highest, precision[i]);
            envelope[i] = highest;
        }

        var ap = 0.0;
        var previous = 0.0;
        for (var i = 0; i < recall.Length; i++)
        {
            if (recall[i] != previous)
            {
                ap += (recall[i] - previous) * envelope[i];
                previous = recall[i];
            }
        }

        return ap;
    }

    private static double ElevenPoint(double[] recall, double[] precision)
    {
        var ap = 0.0;
        for (var k = 0; k <= 10; k++)
        {
            // k / 10.0 is the double nearest to 0.k, so a recall of exactly 3 in 10 reaches the 0.3 point.
            var threshold = k / 10.0;
            var best = 0.0;
            for (var i = 0; i < recall.Length; i++)
            {
                if (recall[i] >= threshold)
                {
                    best = Math.Max(best, precision[i]);
                }
            }

            ap += best / 11;
        }

        return ap;
    }
}
