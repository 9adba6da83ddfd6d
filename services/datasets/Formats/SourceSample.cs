using Cauchy.V1;

namespace Cauchy.Datasets.Formats;

/// <summary>
/// One sample as a format reader found it, before validation: the image bytes, the split the source declares
/// (UNSPECIFIED when it declares none), and the annotation with class ids resolved against the reader's class list
/// (-1 for a label that is not in it; <see cref="SourceBox.ClassLabel"/> keeps the original for messages).
/// </summary>
public sealed class SourceSample
{
    public required string Id { get; init; }

    public Split SourceSplit { get; init; }

    /// <summary>Path of the image inside the archive (for IDX, the images file).</summary>
    public required string ImagePath { get; init; }

    public required byte[] Image { get; init; }

    /// <summary>Set for RAW images (IDX), which carry their dimensions here instead of in a header.</summary>
    public (int Width, int Height, int Channels)? RawShape { get; init; }

    /// <summary>Classification label, or null for other tasks.</summary>
    public int? ClassId { get; init; }

    public string? ClassLabel { get; init; }

    /// <summary>Detection objects, or null for other tasks.</summary>
    public List<SourceBox>? Boxes { get; init; }

    /// <summary>Segmentation mask (an index PNG), or null for other tasks.</summary>
    public byte[]? Mask { get; init; }

    public string? MaskPath { get; init; }

    /// <summary>The annotation file the sample's labels come from (COCO JSON, VOC XML), for issue reports.</summary>
    public string? AnnotationPath { get; init; }
}

/// <summary>
/// One object of a detection sample, in the BoundingBox convention of common.proto; <paramref name="Area"/> is the
/// area the source gives (COCO's "area"), 0 when it gives none.
/// </summary>
public sealed record SourceBox(float XMin, float YMin, float XMax, float YMax, int ClassId, string ClassLabel, bool Crowd, bool Difficult, double Area = 0);
