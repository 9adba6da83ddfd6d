using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Cauchy.Datasets.Domain;
using Cauchy.Domain;
using Cauchy.V1;

namespace Cauchy.Datasets.Formats;

/// <summary>
/// Pascal VOC: <c>Annotations/&lt;id&gt;.xml</c>, <c>JPEGImages/&lt;filename&gt;</c> and
/// <c>ImageSets/Main/{train,val,test}.txt</c> (optionally inside one wrapping folder such as VOC2007/). Sample ids
/// are the annotation file names without extension. VOC boxes are 1-based and inclusive; they become the half-open
/// 0-based boxes of common.proto as [xmin - 1, ymin - 1, xmax, ymax). Classes are the sorted object names unless the
/// header names them.
/// </summary>
public sealed class VocReader : IDatasetFormatReader
{
    /// <summary>The longest annotation file read, in characters; a VOC annotation is a few hundred.</summary>
    public const long MaxAnnotationCharacters = 1 << 20;

    /// <summary>
    /// No DTD, so no entity can expand (XDocument.Load alone would parse one and expand up to ten million characters
    /// per file), no external resource is fetched, and the document is bounded in size.
    /// </summary>
    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = MaxAnnotationCharacters,
    };

    public DatasetFormat Format => DatasetFormat.PascalVoc;

    public TaskType TaskType => TaskType.Detection;

    public SourceDataset Read(string root, IReadOnlyList<string> files, IReadOnlyList<string> classNames, IIssueSink issues)
    {
        var top = FormatPaths.CommonTopFolder(files, name => name is "Annotations" or "JPEGImages" or "ImageSets");
        var xmlFiles = files.Where(f => f.StartsWith(top + "Annotations/", StringComparison.Ordinal)
            && f.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)).ToList();
        if (xmlFiles.Count == 0)
        {
            throw DomainException.InvalidArgument($"archive has no {top}Annotations/*.xml files (format PASCAL_VOC)");
        }
        var fileSet = files.ToHashSet(StringComparer.Ordinal);

        var splitOf = new Dictionary<string, Split>(StringComparer.Ordinal);
        foreach (var (name, split) in new[] { ("train", Split.Train), ("val", Split.Validation), ("test", Split.Test) })
        {
            var listPath = $"{top}ImageSets/Main/{name}.txt";
            if (!fileSet.Contains(listPath))
            {
                continue;
            }
            foreach (var line in File.ReadLines(FormatPaths.Full(root, listPath)))
            {
                var id = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
                if (id is null)
                {
                    continue;
                }
                if (splitOf.TryGetValue(id, out var other) && other != split)
                {
                    issues.Report(ValidationIssueKind.DuplicateId, id, listPath, -1, $"'{id}' is listed in more than one of ImageSets/Main/{{train,val,test}}.txt; it stays in the first", false);
                    continue;
                }
                splitOf[id] = split;
            }
        }

        var parsed = new List<VocAnnotation>();
        foreach (var xml in xmlFiles)
        {
            var id = Path.GetFileNameWithoutExtension(xml);
            try
            {
                parsed.Add(Parse(root, xml, id));
            }
            catch (Exception e) when (e is XmlException or FormatException or InvalidDataException)
            {
                issues.Report(ValidationIssueKind.MalformedAnnotation, id, xml, -1, $"'{xml}' cannot be read as a VOC annotation: {e.Message}", true);
            }
        }

        var names = classNames.Count > 0
            ? classNames
            : parsed.SelectMany(p => p.Objects.Select(o => o.Name)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var ids = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        return new SourceDataset(names, Samples(root, top, parsed, splitOf, fileSet, ids, issues));
    }

    private static IEnumerable<SourceSample> Samples(
        string root, string top, List<VocAnnotation> parsed, Dictionary<string, Split> splitOf,
        HashSet<string> fileSet, Dictionary<string, int> ids, IIssueSink issues)
    {
        foreach (var annotation in parsed)
        {
            var imagePath = $"{top}JPEGImages/{annotation.FileName}";
            if (!fileSet.Contains(imagePath))
            {
                issues.Report(ValidationIssueKind.MissingImage, annotation.Id, annotation.Path, -1, $"'{annotation.Path}' names image '{imagePath}', which is not in the archive", true);
                continue;
            }
            yield return new SourceSample
            {
                Id = annotation.Id,
                SourceSplit = splitOf.GetValueOrDefault(annotation.Id, Split.Unspecified),
                ImagePath = imagePath,
                Image = File.ReadAllBytes(FormatPaths.Full(root, imagePath)),
                AnnotationPath = annotation.Path,
                Boxes = annotation.Objects
                    .Select(o => new SourceBox(o.XMin - 1, o.YMin - 1, o.XMax, o.YMax, ids.GetValueOrDefault(o.Name, -1), o.Name, false, o.Difficult))
                    .ToList(),
            };
        }
    }

    private static VocAnnotation Parse(string root, string path, string id)
    {
        using var reader = XmlReader.Create(FormatPaths.Full(root, path), ReaderSettings);
        var document = XDocument.Load(reader);
        var annotation = document.Root is { Name.LocalName: "annotation" } r ? r : throw new FormatException("root element is not <annotation>");
        var fileName = annotation.Element("filename")?.Value.Trim();
        if (string.IsNullOrEmpty(fileName))
        {
            fileName = id + ".jpg";
        }
        var objects = new List<VocObject>();
        foreach (var element in annotation.Elements("object"))
        {
            var name = element.Element("name")?.Value.Trim();
            var box = element.Element("bndbox");
            if (string.IsNullOrEmpty(name) || box is null)
            {
                throw new FormatException("an <object> lacks <name> or <bndbox>");
            }
            objects.Add(new VocObject(
                name,
                Coordinate(box, "xmin"), Coordinate(box, "ymin"), Coordinate(box, "xmax"), Coordinate(box, "ymax"),
                element.Element("difficult")?.Value.Trim() == "1"));
        }
        return new VocAnnotation(id, path, fileName, objects);
    }

    private static float Coordinate(XElement box, string name) =>
        float.Parse(box.Element(name)?.Value.Trim() ?? throw new FormatException($"<bndbox> lacks <{name}>"), NumberStyles.Float, CultureInfo.InvariantCulture);

    private sealed record VocAnnotation(string Id, string Path, string FileName, List<VocObject> Objects);

    private sealed record VocObject(string Name, float XMin, float YMin, float XMax, float YMax, bool Difficult);
}
