namespace Cauchy.Metrics.Coco;

/// <summary>What a detection is compared with its ground truth by, as pycocotools' <c>iouType</c>.</summary>
public enum CocoIouType
{
    /// <summary>Box intersection over union.</summary>
    Bbox,

    /// <summary>Mask intersection over union.</summary>
    Segm,

    /// <summary>Object keypoint similarity (OKS).</summary>
    Keypoints,
}
