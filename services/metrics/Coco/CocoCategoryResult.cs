namespace Cauchy.Metrics.Coco;

/// <summary>
/// One category's scores over all area and the most detections: AP over the IoU thresholds, AP at IoU 0.5, and
/// recall over the IoU thresholds; -1 where the category has no ground truth.
/// </summary>
public sealed record CocoCategoryResult(int CategoryId, string Name, double Ap, double Ap50, double Ar, long GroundTruthCount, long DetectionCount);
