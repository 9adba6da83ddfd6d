using System.Globalization;
using System.Xml.Linq;
using Cauchy.V1;

namespace Cauchy.Cli.Voc;

/// <summary>
/// A Pascal VOC ground truth (annotation XML files) and detection results (the devkit's per-class files, lines of
/// "image_id confidence xmin ymin xmax ymax"), as the metrics service's detection samples.
/// </summary>
/// <remarks>
/// VOC writes boxes in 1-based, inclusive pixel coordinates: xmin to xmax covers xmax − xmin + 1 pixels, hence the
/// devkit's "+1" in its overlaps. The service's boxes are half-open, so each box is read as [xmin − 1, xmax), which
/// covers the same pixels and gives the devkit's overlaps exactly.
/// </remarks>
public sealed class VocFiles
{
    private readonly List<VocImage> _images;

    private VocFiles(IReadOnlyList<string> classNames, List<VocImage> images)
    {
        ClassNames = classNames;
        _images = images;
    }

    /// <summary>Class names in ordinal order: those of the annotations' objects and of the results files.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    public int DetectionCount => _images.Sum(i => i.Sample.Detections.Count);

    /// <summary>
    /// Reads <paramref name="annotations"/> (an XML file or a folder of them; an image's id is its file name without
    /// ".xml") and <paramref name="results"/> (a results file or a folder of them; a file's class is the end of its
    /// name after the last '_', or the longest class name of the annotations it ends with).
    /// </summary>
    /// <exception cref="FormatException">A file is not what it should be; the message names it.</exception>
    public static VocFiles Read(string annotations, string results)
    {
        var images = new List<VocImage>();
        foreach (var file in Files(annotations, "*.xml", "--annotations"))
        {
            images.Add(ReadAnnotation(file));
        }

        var objectClasses = images.SelectMany(i => i.Objects.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
        var resultFiles = Files(results, "*.txt", "--results").Select(f => (File: f, Class: ClassOf(f, objectClasses))).ToList();
        var classNames = objectClasses.Concat(resultFiles.Select(r => r.Class)).Distinct().Order(StringComparer.Ordinal).ToList();
        var classIds = classNames.Select((name, id) => (name, id)).ToDictionary(p => p.name, p => p.id, StringComparer.Ordinal);
        var byId = new Dictionary<string, VocImage>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            if (!byId.TryAdd(image.Sample.SampleId, image))
            {
                throw new FormatException($"{image.File}: image id '{image.Sample.SampleId}' is annotated twice");
            }

            foreach (var o in image.Objects)
            {
                image.Sample.GroundTruth.Add(new LabeledBox { ClassId = classIds[o.Name], Box = o.Box, Difficult = o.Difficult });
            }
        }

        foreach (var (file, className) in resultFiles)
        {
            foreach (var (imageId, detection, where) in ResultLines(file, classIds[className]))
            {
                if (!byId.TryGetValue(imageId, out var image))
                {
                    throw new FormatException($"{where}: image_id {imageId} is not an image of the annotations");
                }

                image.Sample.Detections.Add(detection);
            }
        }

        return new VocFiles(classNames, images);
    }

    /// <summary>
    /// Results files alone, for an evaluation against a dataset version whose classes are <paramref name="classNames"/>:
    /// one detection sample per image id (without ground truth), in the order the files first name them.
    /// </summary>
    /// <exception cref="FormatException">A file is not a results file, or names a class the dataset does not have.</exception>
    public static IReadOnlyList<DetectionSample> ReadResults(string results, IReadOnlyList<string> classNames, string option = "--predictions")
    {
        var known = classNames.ToHashSet(StringComparer.Ordinal);
        var classIds = classNames.Select((name, id) => (name, id)).ToDictionary(p => p.name, p => p.id, StringComparer.Ordinal);
        var samples = new List<DetectionSample>();
        var byId = new Dictionary<string, DetectionSample>(StringComparer.Ordinal);
        foreach (var file in Files(results, "*.txt", option))
        {
            var className = ClassOf(file, known);
            if (!classIds.TryGetValue(className, out var classId))
            {
                throw new FormatException($"{file}: class '{className}' is not a class of the dataset ({string.Join(", ", classNames)})");
            }

            foreach (var (imageId, detection, _) in ResultLines(file, classId))
            {
                if (!byId.TryGetValue(imageId, out var sample))
                {
                    byId[imageId] = sample = new DetectionSample { SampleId = imageId };
                    samples.Add(sample);
                }

                sample.Detections.Add(detection);
            }
        }

        return samples;
    }

    /// <summary>The images as detection samples, in the order of their annotation files' names.</summary>
    public IEnumerable<DetectionSample> Samples() => _images.Select(i => i.Sample);

    private static VocImage ReadAnnotation(string file)
    {
        XElement root;
        try
        {
            root = XDocument.Load(file).Root ?? throw new FormatException($"{file}: empty XML");
        }
        catch (System.Xml.XmlException ex)
        {
            throw new FormatException($"{file}: not XML: {ex.Message}");
        }

        var size = root.Element("size");
        var sample = new DetectionSample
        {
            SampleId = Path.GetFileNameWithoutExtension(file),
            ImageWidth = (int)Number(size?.Element("width"), file, "size/width", optional: true),
            ImageHeight = (int)Number(size?.Element("height"), file, "size/height", optional: true),
        };
        var objects = new List<VocObject>();
        foreach (var element in root.Elements("object"))
        {
            var name = element.Element("name")?.Value.Trim();
            if (string.IsNullOrEmpty(name))
            {
                throw new FormatException($"{file}: object {objects.Count + 1} has no name");
            }

            var box = element.Element("bndbox") ?? throw new FormatException($"{file}: object {objects.Count + 1} ({name}) has no bndbox");
            objects.Add(new VocObject(
                name,
                Box(Number(box.Element("xmin"), file, "bndbox/xmin"), Number(box.Element("ymin"), file, "bndbox/ymin"),
                    Number(box.Element("xmax"), file, "bndbox/xmax"), Number(box.Element("ymax"), file, "bndbox/ymax")),
                element.Element("difficult")?.Value.Trim() == "1"));
        }

        return new VocImage(file, sample, objects);
    }

    /// <summary>VOC's inclusive 1-based box as the service's half-open one.</summary>
    private static BoundingBox Box(double xmin, double ymin, double xmax, double ymax) =>
        new() { XMin = (float)(xmin - 1), YMin = (float)(ymin - 1), XMax = (float)xmax, YMax = (float)ymax };

    private static double Number(XElement? element, string file, string what, bool optional = false)
    {
        if (element is null && optional)
        {
            return 0;
        }

        if (element is null || !double.TryParse(element.Value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"{file}: {what} is missing or not a number");
        }

        return value;
    }

    /// <summary>The detections of one results file ("image_id confidence xmin ymin xmax ymax" lines), all of one class.</summary>
    private static IEnumerable<(string ImageId, ScoredBox Detection, string Where)> ResultLines(string file, int classId)
    {
        var lineNumber = 0;
        foreach (var line in File.ReadLines(file))
        {
            lineNumber++;
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }

            if (fields.Length != 6 || !TryNumbers(fields.AsSpan(1), out var numbers))
            {
                throw new FormatException($"{file}:{lineNumber}: expected 'image_id confidence xmin ymin xmax ymax', got '{line}'");
            }

            yield return (fields[0], new ScoredBox { ClassId = classId, Score = (float)numbers[0], Box = Box(numbers[1], numbers[2], numbers[3], numbers[4]) }, $"{file}:{lineNumber}");
        }
    }

    private static bool TryNumbers(ReadOnlySpan<string> fields, out double[] numbers)
    {
        numbers = new double[fields.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            if (!double.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static string ClassOf(string file, IReadOnlySet<string> known)
    {
        var stem = Path.GetFileNameWithoutExtension(file);
        var match = known.Where(k => stem == k || stem.EndsWith("_" + k, StringComparison.Ordinal)).MaxBy(k => k.Length);
        return match ?? stem[(stem.LastIndexOf('_') + 1)..];
    }

    private static List<string> Files(string path, string pattern, string option)
    {
        if (File.Exists(path))
        {
            return [path];
        }

        if (!Directory.Exists(path))
        {
            throw new FormatException($"{option}: {path} is neither a file nor a folder");
        }

        var files = Directory.GetFiles(path, pattern).Order(StringComparer.Ordinal).ToList();
        return files.Count > 0 ? files : throw new FormatException($"{option}: {path} holds no {pattern} file");
    }

    private sealed record VocObject(string Name, BoundingBox Box, bool Difficult);

    private sealed record VocImage(string File, DetectionSample Sample, List<VocObject> Objects);
}
