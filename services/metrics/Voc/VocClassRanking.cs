namespace Cauchy.Metrics.Voc;

/// <summary>
/// What one class keeps of the matched images: each detection's score and, per IoU threshold, whether it was a true
/// positive, a false positive or ignored (it matched a difficult object), plus the class's ground-truth count. Memory
/// grows with the detections, not with the images.
/// </summary>
public sealed class VocClassRanking(int thresholdCount)
{
    private readonly List<float> _scores = [];
    private readonly List<VocOutcome>[] _outcomes = [.. Enumerable.Range(0, thresholdCount).Select(_ => new List<VocOutcome>())];

    /// <summary>Objects of the class that are not difficult: the devkit's npos.</summary>
    public long Positives { get; set; }

    public long DetectionCount => _scores.Count;

    /// <summary>Adds one detection, in stream order, with its outcome at each threshold.</summary>
    public void Add(float score, ReadOnlySpan<VocOutcome> outcomes)
    {
        _scores.Add(score);
        for (var t = 0; t < _outcomes.Length; t++)
        {
            _outcomes[t].Add(outcomes[t]);
        }
    }

    /// <summary>
    /// AP at threshold <paramref name="threshold"/> (an index), over the detections in descending score order, equal
    /// scores in stream order (the devkit's stable sort over the results file); -1 without ground truth.
    /// </summary>
    public double AveragePrecision(int threshold, bool elevenPoint)
    {
        if (Positives == 0)
        {
            return -1;
        }

        var outcomes = _outcomes[threshold];
        var ranked = Enumerable.Range(0, _scores.Count)
            .OrderByDescending(i => _scores[i])
            .Where(i => outcomes[i] != VocOutcome.Ignored)
            .Select(i => outcomes[i] == VocOutcome.TruePositive)
            .ToList();
        return VocAveragePrecision.Compute(ranked, Positives, elevenPoint);
    }
}
