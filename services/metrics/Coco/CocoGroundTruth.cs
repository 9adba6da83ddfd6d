namespace Cauchy.Metrics.Coco;

/// <summary>
/// A ground-truth object. <paramref name="Area"/> is the annotation's own area (COCO sizes objects by it, not by
/// the box). <paramref name="Mask"/> is needed for segm, <paramref name="Keypoints"/> (x, y, visibility triples) for
/// keypoints; <paramref name="NumKeypoints"/> of 0 makes a keypoint object ignored.
/// </summary>
public sealed record CocoGroundTruth(
    long Id,
    int CategoryId,
    Box Box,
    double Area,
    bool IsCrowd,
    RunLengthMask? Mask = null,
    double[]? Keypoints = null,
    int NumKeypoints = 0);
