namespace Cauchy.Metrics.Coco;

/// <summary>
/// pycocotools' <c>summarize</c> over the accumulated precision [T, R, K, A, M] and recall [T, K, A, M]: a mean over
/// the entries that are not -1, selected by IoU threshold, area label and maximum detections, -1 if none is.
/// </summary>
internal sealed class CocoSummary(CocoParameters parameters, double[] precisions, double[] recalls, int groupCount)
{
    private int T => parameters.IouThresholds.Count;

    private int R => parameters.RecallThresholds.Count;

    private int A => parameters.AreaRanges.Count;

    private int M => parameters.MaxDetections.Count;

    /// <summary>The summary in pycocotools' order (12 numbers, or 10 for keypoints).</summary>
    public double[] Stats()
    {
        var p = parameters;
        if (p.IouType == CocoIouType.Keypoints)
        {
            // pycocotools names maxDets=20 here, whatever the parameters say.
            return
            [
                Precision(null, "all", 20), Precision(.5, "all", 20), Precision(.75, "all", 20),
                Precision(null, "medium", 20), Precision(null, "large", 20),
                Recall(null, "all", 20), Recall(.5, "all", 20), Recall(.75, "all", 20),
                Recall(null, "medium", 20), Recall(null, "large", 20),
            ];
        }

        // The first value names maxDets=100 in pycocotools; the others the third of the parameters' maxDets.
        var most = p.MaxDetections.Count > 2 ? p.MaxDetections[2] : -1;
        return
        [
            Precision(null, "all", 100), Precision(.5, "all", most), Precision(.75, "all", most),
            Precision(null, "small", most), Precision(null, "medium", most), Precision(null, "large", most),
            Recall(null, "all", p.MaxDetections.Count > 0 ? p.MaxDetections[0] : -1),
            Recall(null, "all", p.MaxDetections.Count > 1 ? p.MaxDetections[1] : -1),
            Recall(null, "all", most),
            Recall(null, "small", most), Recall(null, "medium", most), Recall(null, "large", most),
        ];
    }

    private double Precision(double? iou, string area, int maxDets) =>
        Mean(Thresholds(iou), Areas(area), MaxDets(maxDets), Enumerable.Range(0, groupCount), ofPrecision: true);

    private double Recall(double? iou, string area, int maxDets) =>
        Mean(Thresholds(iou), Areas(area), MaxDets(maxDets), Enumerable.Range(0, groupCount), ofPrecision: false);

    /// <summary>One group's AP (or AP at <paramref name="iou"/>) for an area range and maxDets index.</summary>
    public double Precision(double? iou, int area, int maxDets, int group) =>
        Mean(Thresholds(iou), [area], [maxDets], [group], ofPrecision: true);

    public double Recall(double? iou, int area, int maxDets, int group) =>
        Mean(Thresholds(iou), [area], [maxDets], [group], ofPrecision: false);

    private double Mean(IEnumerable<int> thresholds, IReadOnlyList<int> areas, IReadOnlyList<int> maxDets, IEnumerable<int> groups, bool ofPrecision)
    {
        double sum = 0;
        long count = 0;
        foreach (var t in thresholds)
        {
            foreach (var k in groups)
            {
                foreach (var a in areas)
                {
                    foreach (var m in maxDets)
                    {
                        if (ofPrecision)
                        {
                            for (var r = 0; r < R; r++)
                            {
                                Add(precisions[(((t * R + r) * groupCount + k) * A + a) * M + m]);
                            }
                        }
                        else
                        {
                            Add(recalls[((t * groupCount + k) * A + a) * M + m]);
                        }
                    }
                }
            }
        }

        return count == 0 ? -1 : sum / count;

        void Add(double value)
        {
            if (value > -1)
            {
                sum += value;
                count++;
            }
        }
    }

    private IEnumerable<int> Thresholds(double? iou) => iou is { } value
        ? Enumerable.Range(0, T).Where(t => parameters.IouThresholds[t] == value)
        : Enumerable.Range(0, T);

    private int[] Areas(string label) => [.. Enumerable.Range(0, A).Where(a => parameters.AreaRanges[a].Label == label)];

    private int[] MaxDets(int value) => [.. Enumerable.Range(0, M).Where(m => parameters.MaxDetections[m] == value)];
}
