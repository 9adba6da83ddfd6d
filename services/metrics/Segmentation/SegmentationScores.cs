namespace Cauchy.Metrics.Segmentation;

/// <summary>What <see cref="SegmentationConfusion.Compute"/> gives.</summary>
public sealed record SegmentationScores(
    double PixelAccuracy,
    double MeanClassAccuracy,
    double MeanIou,
    double FrequencyWeightedIou,
    IReadOnlyList<ClassSegmentationScores> PerClass);
