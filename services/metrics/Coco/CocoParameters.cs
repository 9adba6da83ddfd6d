namespace Cauchy.Metrics.Coco;

/// <summary>
/// How an evaluation runs, as pycocotools' <c>Params</c>. <paramref name="MaxDetections"/> ascend, and the last is
/// how many detections per image and category are matched; <paramref name="AreaRanges"/> start with "all".
/// </summary>
public sealed record CocoParameters(
    CocoIouType IouType,
    IReadOnlyList<double> IouThresholds,
    IReadOnlyList<double> RecallThresholds,
    IReadOnlyList<int> MaxDetections,
    IReadOnlyList<AreaRange> AreaRanges,
    bool UseCategories)
{
    /// <summary>The IoU thresholds of the 12-number summary: 0.50, 0.55, …, 0.95.</summary>
    public static IReadOnlyList<double> DefaultIouThresholds { get; } = Linspace(.5, .95, 10);

    /// <summary>The 101 recall levels precision is interpolated at: 0, 0.01, …, 1.</summary>
    public static IReadOnlyList<double> DefaultRecallThresholds { get; } = Linspace(0, 1, 101);

    /// <summary>pycocotools' defaults for the IoU type.</summary>
    public static CocoParameters Defaults(CocoIouType iouType) => iouType == CocoIouType.Keypoints
        ? new(iouType, DefaultIouThresholds, DefaultRecallThresholds, [20],
            [new("all", 0, 1e5 * 1e5), new("medium", 32 * 32, 96 * 96), new("large", 96 * 96, 1e5 * 1e5)], true)
        : new(iouType, DefaultIouThresholds, DefaultRecallThresholds, [1, 10, 100],
            [new("all", 0, 1e5 * 1e5), new("small", 0, 32 * 32), new("medium", 32 * 32, 96 * 96), new("large", 96 * 96, 1e5 * 1e5)], true);

    /// <summary>
    /// <paramref name="count"/> evenly spaced values from <paramref name="start"/> to <paramref name="stop"/>, computed
    /// as NumPy's <c>linspace</c> does (i · step + start, the last value exactly <paramref name="stop"/>), so that
    /// thresholds compare equal to pycocotools' to the last bit.
    /// </summary>
    public static double[] Linspace(double start, double stop, int count)
    {
        var values = new double[count];
        var step = (stop - start) / (count - 1);
        for (var i = 0; i < count; i++)
        {
            values[i] = i * step + start;
        }

        values[count - 1] = stop;
        return values;
    }
}
