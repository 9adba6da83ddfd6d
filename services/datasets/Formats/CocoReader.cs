using System.Globalization;
using System.Text.Json;
using Cauchy.Datasets.Domain;
using Cauchy.Domain;
using Cauchy.V1;

namespace Cauchy.Datasets.Formats;

/// <summary>
/// COCO object-detection JSON: every .json file in the archive is an annotation file whose name declares its split
/// ("instances_train2017.json" is train; "val", "test" likewise). Images are found by their file_name relative to
/// the archive root, to the annotation file's parent folder, or by a unique base name. Boxes come from "bbox"
/// ([x, y, width, height]); an annotation without one gets the bounds of its "segmentation" (polygons, or RLE with
/// counts as a list or COCO's compressed string). Classes are the categories sorted by id, unless the header
/// names them (then categories are matched by name). Sample ids are the image ids.
/// </summary>
public sealed class CocoReader : IDatasetFormatReader
{
    /// <summary>
    /// The largest annotation file read, in bytes: it is parsed whole, so it is bounded before parsing (COCO 2017's
    /// train annotations are 448 MB).
    /// </summary>
    public const long MaxAnnotationBytes = 1L << 30;

    public DatasetFormat Format => DatasetFormat.CocoJson;

    public TaskType TaskType => TaskType.Detection;

    public SourceDataset Read(string root, IReadOnlyList<string> files, IReadOnlyList<string> classNames, IIssueSink issues)
    {
        var jsonFiles = files.Where(f => f.EndsWith(".json", StringComparison.OrdinalIgnoreCase)).ToList();
        if (jsonFiles.Count == 0)
        {
            throw DomainException.InvalidArgument("archive has no .json annotation file (format COCO_JSON)");
        }
        var imageFiles = files.Where(FormatPaths.IsImage).ToList();
        var byPath = imageFiles.ToHashSet(StringComparer.Ordinal);
        var byName = imageFiles.GroupBy(f => f[(f.LastIndexOf('/') + 1)..], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

        var parsed = jsonFiles.Select(f => (Path: f, File: Parse(root, f))).ToList();
        var categories = new SortedDictionary<long, string>();
        foreach (var (path, file) in parsed)
        {
            foreach (var category in file.Categories)
            {
                if (categories.TryGetValue(category.Id, out var existing) && existing != category.Name)
                {
                    throw DomainException.InvalidArgument($"'{path}': category id {category.Id} is '{category.Name}' here but '{existing}' in another file");
                }
                categories[category.Id] = category.Name;
            }
        }
        var names = classNames.Count > 0 ? classNames : categories.Values.ToList();
        var nameIds = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        var categoryToClass = categories.ToDictionary(c => c.Key, c => nameIds.GetValueOrDefault(c.Value, -1));
        var sourceIds = names.Select(n => categories.FirstOrDefault(c => c.Value == n) is { Value: not null } c ? c.Key : -1).ToList();
        return new SourceDataset(names, Samples(root, parsed, categoryToClass, byPath, byName, issues), sourceIds.Contains(-1) ? null : sourceIds);
    }

    private static IEnumerable<SourceSample> Samples(
        string root,
        List<(string Path, CocoFile File)> parsed,
        Dictionary<long, int> categoryToClass,
        HashSet<string> byPath,
        Dictionary<string, List<string>> byName,
        IIssueSink issues)
    {
        foreach (var (jsonPath, file) in parsed)
        {
            var split = SplitOf(jsonPath);
            var imageIds = file.Images.Select(i => i.Id).ToHashSet();
            var annotationIds = new HashSet<long>();
            var byImage = new Dictionary<long, List<(int Index, CocoAnnotation Annotation)>>();
            for (var index = 0; index < file.Annotations.Count; index++)
            {
                var annotation = file.Annotations[index];
                var sampleId = annotation.ImageId.ToString(CultureInfo.InvariantCulture);
                if (!annotationIds.Add(annotation.Id))
                {
                    issues.Report(ValidationIssueKind.DuplicateId, sampleId, jsonPath, index, $"annotation id {annotation.Id} appears twice in '{jsonPath}'; the second is dropped", false);
                    continue;
                }
                if (!imageIds.Contains(annotation.ImageId))
                {
                    issues.Report(ValidationIssueKind.MalformedAnnotation, sampleId, jsonPath, index, $"annotation {annotation.Id} names image_id {annotation.ImageId}, which '{jsonPath}' does not list", false);
                    continue;
                }
                if (!byImage.TryGetValue(annotation.ImageId, out var list))
                {
                    byImage[annotation.ImageId] = list = [];
                }
                list.Add((index, annotation));
            }

            foreach (var image in file.Images)
            {
                var id = image.Id.ToString(CultureInfo.InvariantCulture);
                var path = Resolve(image.FileName, jsonPath, byPath, byName);
                if (path is null)
                {
                    issues.Report(ValidationIssueKind.MissingImage, id, jsonPath, -1, $"image {image.Id} '{image.FileName}' is not in the archive", true);
                    continue;
                }
                var boxes = new List<SourceBox>();
                foreach (var (_, annotation) in byImage.GetValueOrDefault(image.Id) ?? [])
                {
                    var classId = categoryToClass.TryGetValue(annotation.CategoryId, out var c) ? c : -1;
                    var box = annotation.Box;
                    boxes.Add(new SourceBox(box.XMin, box.YMin, box.XMax, box.YMax, classId,
                        $"category_id {annotation.CategoryId}", annotation.Crowd, false, annotation.Area));
                }
                yield return new SourceSample
                {
                    Id = id,
                    SourceSplit = split,
                    ImagePath = path,
                    Image = File.ReadAllBytes(FormatPaths.Full(root, path)),
                    Boxes = boxes,
                    AnnotationPath = jsonPath,
                };
            }
        }
    }

    private static Split SplitOf(string jsonPath)
    {
        var name = Path.GetFileNameWithoutExtension(jsonPath).ToLowerInvariant();
        return name.Contains("train", StringComparison.Ordinal) ? Split.Train
            : name.Contains("val", StringComparison.Ordinal) ? Split.Validation
            : name.Contains("test", StringComparison.Ordinal) ? Split.Test
            : Split.Unspecified;
    }

    private static string? Resolve(string fileName, string jsonPath, HashSet<string> byPath, Dictionary<string, List<string>> byName)
    {
        var name = fileName.Replace('\\', '/').TrimStart('/');
        if (byPath.Contains(name))
        {
            return name;
        }
        var jsonFolder = jsonPath.Contains('/') ? jsonPath[..jsonPath.LastIndexOf('/')] : "";
        var parent = jsonFolder.Contains('/') ? jsonFolder[..(jsonFolder.LastIndexOf('/') + 1)] : "";
        foreach (var candidate in new[] { jsonFolder.Length > 0 ? jsonFolder + "/" + name : name, parent + name })
        {
            if (byPath.Contains(candidate))
            {
                return candidate;
            }
        }
        var baseName = name[(name.LastIndexOf('/') + 1)..];
        if (byName.TryGetValue(baseName, out var matches))
        {
            var suffixMatches = matches.Where(m => m.EndsWith("/" + name, StringComparison.Ordinal)).ToList();
            if (suffixMatches.Count == 1)
            {
                return suffixMatches[0];
            }
            if (matches.Count == 1)
            {
                return matches[0];
            }
        }
        return null;
    }

    private static CocoFile Parse(string root, string path)
    {
        JsonDocument document;
        try
        {
            using var stream = File.OpenRead(FormatPaths.Full(root, path));
            if (stream.Length > MaxAnnotationBytes)
            {
                throw DomainException.InvalidArgument($"'{path}' is {stream.Length} bytes; annotation files of at most {MaxAnnotationBytes} bytes are read");
            }

            document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = TextLimits.JsonDepth });
        }
        catch (JsonException e)
        {
            throw DomainException.InvalidArgument($"'{path}' is not valid JSON: {e.Message}");
        }

        using (document)
        {
            var top = document.RootElement;
            if (top.ValueKind != JsonValueKind.Object || !top.TryGetProperty("images", out var images) || images.ValueKind != JsonValueKind.Array)
            {
                throw DomainException.InvalidArgument($"'{path}' is not a COCO file: it has no \"images\" array");
            }
            var file = new CocoFile();
            foreach (var image in images.EnumerateArray())
            {
                file.Images.Add(new CocoImage(
                    RequireLong(image, "id", path, "images[]"),
                    image.TryGetProperty("file_name", out var fileName) && fileName.ValueKind == JsonValueKind.String
                        ? fileName.GetString()!
                        : throw DomainException.InvalidArgument($"'{path}': an entry of \"images\" has no string file_name")));
            }
            if (top.TryGetProperty("categories", out var categories) && categories.ValueKind == JsonValueKind.Array)
            {
                foreach (var category in categories.EnumerateArray())
                {
                    file.Categories.Add((RequireLong(category, "id", path, "categories[]"),
                        category.TryGetProperty("name", out var name) ? name.GetString() ?? "" : ""));
                }
            }
            if (top.TryGetProperty("annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Array)
            {
                foreach (var annotation in annotations.EnumerateArray())
                {
                    file.Annotations.Add(ParseAnnotation(annotation, path));
                }
            }
            return file;
        }
    }

    private static CocoAnnotation ParseAnnotation(JsonElement element, string path)
    {
        var id = RequireLong(element, "id", path, "annotations[]");
        var where = $"annotation {id}";
        var imageId = RequireLong(element, "image_id", path, where);
        var categoryId = RequireLong(element, "category_id", path, where);
        var crowd = element.TryGetProperty("iscrowd", out var c) && c.ValueKind == JsonValueKind.Number && c.GetInt32() != 0;
        (float, float, float, float)? box = null;
        if (element.TryGetProperty("bbox", out var bbox) && bbox.ValueKind == JsonValueKind.Array)
        {
            var values = bbox.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number ? v.GetSingle() : float.NaN).ToArray();
            if (values.Length != 4 || values.Any(float.IsNaN))
            {
                throw DomainException.InvalidArgument($"'{path}': {where} has a bbox that is not four numbers");
            }
            box = (values[0], values[1], values[0] + values[2], values[1] + values[3]);
        }
        if (element.TryGetProperty("segmentation", out var segmentation))
        {
            var bounds = CocoSegmentation.Bounds(segmentation, $"'{path}': {where}");
            box ??= bounds;
        }
        if (box is not { } b)
        {
            throw DomainException.InvalidArgument($"'{path}': {where} has neither a bbox nor a segmentation");
        }
        var area = element.TryGetProperty("area", out var a) && a.ValueKind == JsonValueKind.Number && a.GetDouble() is var value && double.IsFinite(value) && value > 0 ? value : 0;
        return new CocoAnnotation(id, imageId, categoryId, crowd, b, area);
    }

    private static long RequireLong(JsonElement element, string property, string path, string where)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value)
            && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var result))
        {
            return result;
        }
        throw DomainException.InvalidArgument($"'{path}': {where} has no integer \"{property}\"");
    }

    private sealed class CocoFile
    {
        public List<CocoImage> Images { get; } = [];

        public List<CocoAnnotation> Annotations { get; } = [];

        public List<(long Id, string Name)> Categories { get; } = [];
    }

    private sealed record CocoImage(long Id, string FileName);

    private sealed record CocoAnnotation(long Id, long ImageId, long CategoryId, bool Crowd, (float XMin, float YMin, float XMax, float YMax) Box, double Area);
}
