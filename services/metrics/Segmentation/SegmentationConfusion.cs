namespace Cauchy.Metrics.Segmentation;

/// <summary>
/// A semantic segmentation's pixel counts: entry [t, p] counts the pixels of true class t predicted as class p, over
/// every pixel whose ground truth is not the ignore index. It is all an evaluation keeps (num_classes² counts), so any
/// number of images streams through in bounded memory.
/// </summary>
public sealed class SegmentationConfusion(int numClasses, int ignoreIndex)
{
    private readonly long[] _counts = new long[numClasses * numClasses];

    public int NumClasses => numClasses;

    public int IgnoreIndex => ignoreIndex;

    /// <summary>The matrix, row-major: entry [t * NumClasses + p].</summary>
    public IReadOnlyList<long> Counts => _counts;

    /// <summary>
    /// Adds one image's masks of equal size. Returns null, or the first pixel whose value is not a class id (the
    /// ground truth may also hold the ignore index) and which mask holds it; then nothing is added.
    /// </summary>
    public (int Pixel, bool InPrediction, byte Value)? Add(ReadOnlySpan<byte> truth, ReadOnlySpan<byte> predicted)
    {
        for (var i = 0; i < truth.Length; i++)
        {
            if (truth[i] >= numClasses && truth[i] != ignoreIndex)
            {
                return (i, false, truth[i]);
            }

            if (predicted[i] >= numClasses)
            {
                return (i, true, predicted[i]);
            }
        }

        for (var i = 0; i < truth.Length; i++)
        {
            if (truth[i] != ignoreIndex)
            {
                _counts[truth[i] * numClasses + predicted[i]]++;
            }
        }

        return null;
    }

    /// <summary>
    /// The scores. Per class: IoU = TP / (TP + FP + FN) and accuracy = TP / (TP + FN), -1 where the denominator is 0.
    /// Means are over the classes where the score exists: mean IoU leaves out classes absent from both the ground truth
    /// and the predictions, mean class accuracy classes absent from the ground truth. Frequency-weighted IoU weighs
    /// each class's IoU by its share of the counted ground-truth pixels. Null when no pixel was counted.
    /// </summary>
    public SegmentationScores? Compute()
    {
        var total = _counts.Sum();
        if (total == 0)
        {
            return null;
        }

        var perClass = new ClassSegmentationScores[numClasses];
        long correct = 0;
        double weightedIou = 0;
        for (var c = 0; c < numClasses; c++)
        {
            long truthPixels = 0, predictedPixels = 0;
            for (var k = 0; k < numClasses; k++)
            {
                truthPixels += _counts[c * numClasses + k];
                predictedPixels += _counts[k * numClasses + c];
            }

            var hits = _counts[c * numClasses + c];
            correct += hits;
            var union = truthPixels + predictedPixels - hits;
            var iou = union == 0 ? -1 : (double)hits / union;
            perClass[c] = new ClassSegmentationScores(c, iou, truthPixels == 0 ? -1 : (double)hits / truthPixels, truthPixels);
            if (truthPixels > 0)
            {
                weightedIou += (double)truthPixels / total * iou;
            }
        }

        return new SegmentationScores(
            PixelAccuracy: (double)correct / total,
            MeanClassAccuracy: perClass.Where(c => c.Accuracy >= 0).Average(c => c.Accuracy),
            MeanIou: perClass.Where(c => c.Iou >= 0).Average(c => c.Iou),
            FrequencyWeightedIou: weightedIou,
            PerClass: perClass);
    }
}
