using Cauchy.V1;

namespace Cauchy.Metrics.Voc;

/// <summary>
/// The devkit's greedy matching within one image and class. Detections are taken in descending score order; each
/// finds the object it overlaps most (the first of equal overlaps), difficult or not, already matched or not. With an
/// IoU of at least the threshold it is ignored if that object is difficult, a true positive if the object is not yet
/// matched (which it then is), and a false positive (a duplicate) otherwise; with less, a false positive.
/// </summary>
/// <remarks>
/// Boxes are half-open, [x_min, x_max) × [y_min, y_max), so a box is x_max − x_min wide. The devkit's "+1" comes from
/// VOC's inclusive 1-based pixel coordinates: a box from xmin to xmax covers xmax − xmin + 1 pixels. Read as
/// x_min = xmin − 1, x_max = xmax (what <c>cauchy eval voc</c> does with VOC files), the overlaps here equal the
/// devkit's exactly, with no +1.
/// </remarks>
public static class VocMatching
{
    /// <summary>
    /// Writes into <paramref name="outcomes"/>[d] the outcome of <paramref name="detections"/>[d] (already in
    /// descending score order, equal scores in stream order) at <paramref name="threshold"/>.
    /// </summary>
    public static void Match(IReadOnlyList<BoundingBox> detections, IReadOnlyList<LabeledBox> objects, double threshold, Span<VocOutcome> outcomes)
    {
        Span<bool> matched = objects.Count <= 256 ? stackalloc bool[objects.Count] : new bool[objects.Count];
        for (var d = 0; d < detections.Count; d++)
        {
            var best = double.NegativeInfinity;
            var bestObject = -1;
            for (var o = 0; o < objects.Count; o++)
            {
                var overlap = Iou(detections[d], objects[o].Box);
                if (overlap > best)
                {
                    best = overlap;
                    bestObject = o;
                }
            }

            if (bestObject < 0 || best < threshold)
            {
                outcomes[d] = VocOutcome.FalsePositive;
            }
            else if (objects[bestObject].Difficult)
            {
                outcomes[d] = VocOutcome.Ignored;
            }
            else if (!matched[bestObject])
            {
                matched[bestObject] = true;
                outcomes[d] = VocOutcome.TruePositive;
            }
            else
            {
                outcomes[d] = VocOutcome.FalsePositive;
            }
        }
    }

    /// <summary>Intersection over union of two half-open boxes; boxes that do not overlap give 0.</summary>
    public static double Iou(BoundingBox a, BoundingBox b)
    {
        var width = Math.Min((double)a.XMax, b.XMax) - Math.Max((double)a.XMin, b.XMin);
        var height = Math.Min((double)a.YMax, b.YMax) - Math.Max((double)a.YMin, b.YMin);
        if (width <= 0 || height <= 0)
        {
            return 0;
        }

        var intersection = width * height;
        var union = ((double)a.XMax - a.XMin) * ((double)a.YMax - a.YMin) + ((double)b.XMax - b.XMin) * ((double)b.YMax - b.YMin) - intersection;
        return intersection / union;
    }
}
