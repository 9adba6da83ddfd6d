using Cauchy.Datasets.Domain;
using Cauchy.Domain;
using Cauchy.V1;

namespace Cauchy.Datasets.Formats;

/// <summary>
/// torchvision ImageFolder: <c>&lt;class&gt;/&lt;image&gt;</c>, or <c>&lt;split&gt;/&lt;class&gt;/&lt;image&gt;</c> when the top
/// folders are train, val/validation and test; optionally all inside one wrapping folder. Classes are the sorted
/// folder names unless the header names them. Files that are not .png/.jpg/.jpeg are ignored.
/// </summary>
public sealed class ImageFolderReader : IDatasetFormatReader
{
    public DatasetFormat Format => DatasetFormat.ImageFolder;

    public TaskType TaskType => TaskType.Classification;

    public SourceDataset Read(string root, IReadOnlyList<string> files, IReadOnlyList<string> classNames, IIssueSink issues)
    {
        var images = files.Where(FormatPaths.IsImage).ToList();
        var top = images.Count > 0 && images.All(f => f.Count(c => c == '/') >= 2)
            ? FormatPaths.CommonTopFolder(images, name => FormatPaths.SplitFromName(name) != Split.Unspecified)
            : "";
        var entries = new List<(string Path, Split Split, string Class)>();
        foreach (var file in images)
        {
            var segments = file[top.Length..].Split('/');
            var split = segments.Length >= 3 ? FormatPaths.SplitFromName(segments[0]) : Split.Unspecified;
            var classIndex = split == Split.Unspecified ? 0 : 1;
            if (segments.Length - classIndex < 2)
            {
                continue;
            }
            entries.Add((file, split, segments[classIndex]));
        }
        if (entries.Count == 0)
        {
            throw DomainException.InvalidArgument(
                "archive has no images in class folders (expected <class>/<image>.png|jpg or <split>/<class>/<image>) for format IMAGE_FOLDER");
        }

        var names = classNames.Count > 0
            ? classNames
            : entries.Select(e => e.Class).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var ids = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        return new SourceDataset(names, Samples(root, entries, ids));
    }

    private static IEnumerable<SourceSample> Samples(string root, List<(string Path, Split Split, string Class)> entries, Dictionary<string, int> ids)
    {
        foreach (var (path, split, label) in entries)
        {
            yield return new SourceSample
            {
                Id = path,
                SourceSplit = split,
                ImagePath = path,
                Image = File.ReadAllBytes(FormatPaths.Full(root, path)),
                ClassId = ids.GetValueOrDefault(label, -1),
                ClassLabel = label,
            };
        }
    }
}
