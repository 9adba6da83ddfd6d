namespace Cauchy.Metrics.Segmentation;

/// <summary>One class's IoU and accuracy (-1 where undefined) and its ground-truth pixels.</summary>
public sealed record ClassSegmentationScores(int ClassId, double Iou, double Accuracy, long PixelCount);
