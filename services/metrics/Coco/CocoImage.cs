namespace Cauchy.Metrics.Coco;

/// <summary>An image of the ground truth: its id and its size in pixels.</summary>
public sealed record CocoImage(long Id, int Width, int Height);
