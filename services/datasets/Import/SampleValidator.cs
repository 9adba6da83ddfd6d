using Cauchy.Datasets.Formats;
using Cauchy.Datasets.Images;
using Cauchy.V1;
using Google.Protobuf;

namespace Cauchy.Datasets.Import;

/// <summary>
/// Validates one source sample and builds the <see cref="Sample"/> that will be stored, applying the DROP_INVALID
/// rules of datasets.proto (under REJECT_IMPORT any reported issue rejects the import anyway): a duplicate id, an
/// unreadable image or mask, a mask of the wrong size or with unknown class values, or an unknown classification
/// label drop the sample; an unknown or degenerate box drops the box; a box outside the image is clipped (and
/// dropped if nothing is left).
/// </summary>
public sealed class SampleValidator(TaskType taskType, IReadOnlyList<string> classNames, ValidationCollector issues)
{
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

    public long AnnotationsChanged { get; private set; }

    /// <summary>The sample to store, or null when it is dropped (its issues are reported).</summary>
    public ValidatedSample? Validate(SourceSample source)
    {
        if (!_ids.Add(source.Id))
        {
            issues.Report(ValidationIssueKind.DuplicateId, source.Id, source.AnnotationPath ?? source.ImagePath, -1, $"sample id '{source.Id}' appears more than once");
            return null;
        }

        int width, height, channels;
        ImageEncoding encoding;
        PixelSums? pixels;
        if (source.RawShape is { } shape)
        {
            if (source.Image.Length != shape.Width * shape.Height * shape.Channels)
            {
                issues.Report(ValidationIssueKind.CorruptImage, source.Id, source.ImagePath, -1,
                    $"raw image has {source.Image.Length} bytes, not {shape.Width}x{shape.Height}x{shape.Channels}");
                return null;
            }
            (width, height, channels, encoding) = (shape.Width, shape.Height, shape.Channels, ImageEncoding.Raw);
            pixels = PixelSums.Of(source.Image, channels);
        }
        else
        {
            ImageInfo info;
            try
            {
                info = ImageProbe.Probe(source.Image, decodePixels: true);
            }
            catch (CorruptImageException e)
            {
                issues.Report(ValidationIssueKind.CorruptImage, source.Id, source.ImagePath, -1, e.Message);
                return null;
            }
            (width, height, channels, encoding) = (info.Width, info.Height, info.Channels, info.Encoding);
            pixels = info.Pixels is { } p ? PixelSums.Of(p, info.Channels) : null;
        }

        var sample = new Sample
        {
            Id = source.Id,
            Image = ByteString.CopyFrom(source.Image),
            ImageEncoding = encoding,
            Width = width,
            Height = height,
            Channels = channels,
        };
        long[]? maskClassPixels = null;
        switch (taskType)
        {
            case TaskType.Classification:
                if (source.ClassId is not { } classId || classId < 0 || classId >= classNames.Count)
                {
                    issues.UnknownClassLabels.Add(source.ClassLabel ?? "(none)");
                    issues.Report(ValidationIssueKind.UnknownClassId, source.Id, source.ImagePath, -1,
                        $"label '{source.ClassLabel}' is not in the class list");
                    return null;
                }
                sample.ClassId = classId;
                break;
            case TaskType.Detection:
                sample.Detection = ValidateBoxes(source, width, height);
                break;
            case TaskType.Segmentation:
                maskClassPixels = ValidateMask(source, width, height, out var mask);
                if (maskClassPixels is null)
                {
                    return null;
                }
                sample.Mask = mask;
                break;
        }
        return new ValidatedSample(sample, pixels, maskClassPixels);
    }

    private DetectionTarget ValidateBoxes(SourceSample source, int width, int height)
    {
        var target = new DetectionTarget();
        var path = source.AnnotationPath ?? source.ImagePath;
        for (var i = 0; i < (source.Boxes?.Count ?? 0); i++)
        {
            var box = source.Boxes![i];
            var text = $"[{box.XMin}, {box.YMin}, {box.XMax}, {box.YMax}]";
            if (box.ClassId < 0 || box.ClassId >= classNames.Count)
            {
                issues.UnknownClassLabels.Add(box.ClassLabel);
                issues.Report(ValidationIssueKind.UnknownClassId, source.Id, path, i, $"box {text} has {box.ClassLabel}, which is not in the class list");
                AnnotationsChanged++;
                continue;
            }
            if (!(float.IsFinite(box.XMin) && float.IsFinite(box.YMin) && float.IsFinite(box.XMax) && float.IsFinite(box.YMax))
                || box.XMax <= box.XMin || box.YMax <= box.YMin)
            {
                issues.Report(ValidationIssueKind.DegenerateBox, source.Id, path, i, $"box {text} has no area");
                AnnotationsChanged++;
                continue;
            }
            var (xMin, yMin, xMax, yMax) = (box.XMin, box.YMin, box.XMax, box.YMax);
            if (xMin < 0 || yMin < 0 || xMax > width || yMax > height)
            {
                issues.Report(ValidationIssueKind.BoxOutsideImage, source.Id, path, i, $"box {text} extends past the {width}x{height} image");
                AnnotationsChanged++;
                (xMin, yMin, xMax, yMax) = (Math.Max(0, xMin), Math.Max(0, yMin), Math.Min(width, xMax), Math.Min(height, yMax));
                if (xMax <= xMin || yMax <= yMin)
                {
                    continue;
                }
            }
            target.Boxes.Add(new LabeledBox
            {
                Box = new BoundingBox { XMin = xMin, YMin = yMin, XMax = xMax, YMax = yMax },
                ClassId = box.ClassId,
                Crowd = box.Crowd,
                Difficult = box.Difficult,
                Area = box.Area,
            });
        }
        return target;
    }

    private long[]? ValidateMask(SourceSample source, int width, int height, out SegmentationMask mask)
    {
        mask = new SegmentationMask();
        var path = source.MaskPath ?? source.ImagePath;
        ImageInfo info;
        try
        {
            info = PngDecoder.DecodeIndices(source.Mask ?? []);
        }
        catch (CorruptImageException e)
        {
            issues.Report(ValidationIssueKind.CorruptImage, source.Id, path, -1, $"mask: {e.Message}");
            return null;
        }
        if (info.Width != width || info.Height != height)
        {
            issues.Report(ValidationIssueKind.MaskSizeMismatch, source.Id, path, -1, $"mask is {info.Width}x{info.Height} but the image is {width}x{height}");
            return null;
        }
        var histogram = new long[256];
        foreach (var value in info.Pixels!)
        {
            histogram[value]++;
        }
        var unknown = Enumerable.Range(classNames.Count, 255 - classNames.Count).Where(v => histogram[v] > 0).ToList();
        if (unknown.Count > 0)
        {
            foreach (var value in unknown)
            {
                issues.UnknownClassLabels.Add($"mask value {value}");
            }
            issues.Report(ValidationIssueKind.UnknownClassId, source.Id, path, -1,
                $"mask uses class id(s) {string.Join(", ", unknown)}, past the {classNames.Count} classes (255 means ignore)");
            return null;
        }
        mask = new SegmentationMask { Width = info.Width, Height = info.Height, Data = ByteString.CopyFrom(source.Mask), Encoding = ImageEncoding.Png };
        return histogram[..classNames.Count];
    }
}

/// <summary>A sample that passed validation, with what statistics need from its decoded pixels.</summary>
public sealed record ValidatedSample(Sample Sample, PixelSums? Pixels, long[]? MaskClassPixels);
