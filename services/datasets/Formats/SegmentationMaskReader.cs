using Cauchy.Datasets.Domain;
using Cauchy.Domain;
using Cauchy.V1;

namespace Cauchy.Datasets.Formats;

/// <summary>
/// Images with same-named PNG masks: <c>images/&lt;name&gt;.png|jpg</c> and <c>masks/&lt;name&gt;.png</c>, where
/// &lt;name&gt; may include a split folder (<c>images/train/a.png</c> with <c>masks/train/a.png</c>); optionally all
/// inside one wrapping folder. Mask pixel values are class ids, 255 is "ignore". The header must name the classes.
/// Sample ids are the names (path under images/ without extension).
/// </summary>
public sealed class SegmentationMaskReader : IDatasetFormatReader
{
    public DatasetFormat Format => DatasetFormat.SegmentationMasks;

    public TaskType TaskType => TaskType.Segmentation;

    public SourceDataset Read(string root, IReadOnlyList<string> files, IReadOnlyList<string> classNames, IIssueSink issues)
    {
        if (classNames.Count == 0)
        {
            throw DomainException.InvalidArgument("header.class_names is required for format SEGMENTATION_MASKS (mask values are indexes into it)");
        }
        if (classNames.Count > 255)
        {
            throw DomainException.InvalidArgument("header.class_names has more than 255 names; mask values 0-254 are class ids");
        }
        var top = FormatPaths.CommonTopFolder(files, name => name is "images" or "masks");
        var masks = files.Where(f => f.StartsWith(top + "masks/", StringComparison.Ordinal) && f.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(f => StripExtension(f[(top.Length + "masks/".Length)..]), f => f, StringComparer.Ordinal);
        var images = files.Where(f => f.StartsWith(top + "images/", StringComparison.Ordinal) && FormatPaths.IsImage(f)).ToList();
        if (images.Count == 0)
        {
            throw DomainException.InvalidArgument($"archive has no {top}images/*.png|jpg files (format SEGMENTATION_MASKS)");
        }
        return new SourceDataset(classNames, Samples(root, top, images, masks, issues));
    }

    private static string StripExtension(string path) => path[..^Path.GetExtension(path).Length];

    private static IEnumerable<SourceSample> Samples(string root, string top, List<string> images, Dictionary<string, string> masks, IIssueSink issues)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        var imageNames = images.Select(i => StripExtension(i[(top.Length + "images/".Length)..])).ToHashSet(StringComparer.Ordinal);
        foreach (var image in images)
        {
            var name = StripExtension(image[(top.Length + "images/".Length)..]);
            if (!masks.TryGetValue(name, out var mask))
            {
                issues.Report(ValidationIssueKind.MalformedAnnotation, name, image, -1, $"image '{image}' has no mask {top}masks/{name}.png", true);
                continue;
            }
            if (!used.Add(name))
            {
                issues.Report(ValidationIssueKind.DuplicateId, name, image, -1, $"'{image}' has the same name as another image ('{name}')", true);
                continue;
            }
            var split = name.Contains('/') ? FormatPaths.SplitFromName(name[..name.IndexOf('/')]) : Split.Unspecified;
            yield return new SourceSample
            {
                Id = name,
                SourceSplit = split,
                ImagePath = image,
                Image = File.ReadAllBytes(FormatPaths.Full(root, image)),
                Mask = File.ReadAllBytes(FormatPaths.Full(root, mask)),
                MaskPath = mask,
            };
        }
        foreach (var (name, mask) in masks)
        {
            if (!imageNames.Contains(name))
            {
                issues.Report(ValidationIssueKind.MissingImage, name, mask, -1, $"mask '{mask}' has no image {top}images/{name}.*", true);
            }
        }
    }
}
