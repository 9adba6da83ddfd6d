using Cauchy.Datasets.Domain;
using Cauchy.Domain;
using Cauchy.Idx;
using Cauchy.V1;

namespace Cauchy.Datasets.Formats;

/// <summary>
/// IDX files as in MNIST and Fashion-MNIST: <c>&lt;prefix&gt;-images-idx3-ubyte</c> (unsigned bytes, count x rows x
/// cols) with <c>&lt;prefix&gt;-labels-idx1-ubyte</c>, each optionally gzip-compressed. The prefix "train" declares the
/// train split, "t10k" or "test" the test split. Images are kept RAW (rows x cols grey bytes); ids are
/// "&lt;split&gt;/&lt;index&gt;". Both files are read as streams, one sample at a time, through the shared
/// <see cref="IdxFile"/>; the refusals are worded here, for the importer's report.
/// </summary>
public sealed class IdxReader : IDatasetFormatReader
{
    private static readonly int ImagesMagic = IdxFile.UnsignedByteMagic(3);
    private static readonly int LabelsMagic = IdxFile.UnsignedByteMagic(1);

    public DatasetFormat Format => DatasetFormat.Idx;

    public TaskType TaskType => TaskType.Classification;

    public SourceDataset Read(string root, IReadOnlyList<string> files, IReadOnlyList<string> classNames, IIssueSink issues)
    {
        var pairs = new List<(Split Split, string SplitName, string Images, string Labels)>();
        foreach (var images in files.Where(f => BaseName(f).Contains("-images-idx3-ubyte", StringComparison.Ordinal)))
        {
            var name = BaseName(images);
            var prefix = name[..name.IndexOf("-images-idx3-ubyte", StringComparison.Ordinal)];
            var labelsName = prefix + "-labels-idx1-ubyte";
            var labels = files.FirstOrDefault(f => BaseName(f) is var b && (b == labelsName || b == labelsName + ".gz"))
                ?? throw DomainException.InvalidArgument($"archive has '{images}' but no '{labelsName}[.gz]' next to it (format IDX)");
            var split = prefix.ToLowerInvariant() switch
            {
                "train" => Split.Train,
                "t10k" or "test" => Split.Test,
                _ => Split.Unspecified,
            };
            pairs.Add((split, split == Split.Unspecified ? prefix : split == Split.Train ? "train" : "test", images, labels));
        }
        if (pairs.Count == 0)
        {
            throw DomainException.InvalidArgument("archive has no '<prefix>-images-idx3-ubyte[.gz]' file (format IDX)");
        }

        var maxLabel = 0;
        foreach (var pair in pairs)
        {
            using var labels = OpenLabels(root, pair.Labels, out var count);
            var buffer = new byte[count];
            labels.ReadExactly(buffer);
            maxLabel = Math.Max(maxLabel, buffer.Length == 0 ? 0 : buffer.Max());
        }
        var names = classNames.Count > 0
            ? classNames
            : Enumerable.Range(0, Math.Max(10, maxLabel + 1)).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return new SourceDataset(names, Samples(root, pairs, names.Count));
    }

    private static string BaseName(string path) => path[(path.LastIndexOf('/') + 1)..];

    private static IEnumerable<SourceSample> Samples(string root, List<(Split Split, string SplitName, string Images, string Labels)> pairs, int classCount)
    {
        foreach (var pair in pairs)
        {
            using var labels = OpenLabels(root, pair.Labels, out var labelCount);
            using var images = OpenStream(root, pair.Images);
            var header = ReadHeader(images, 4, pair.Images);
            int magic = header[0], count = header[1], rows = header[2], cols = header[3];
            if (magic != ImagesMagic || rows <= 0 || cols <= 0 || count < 0)
            {
                throw DomainException.InvalidArgument($"'{pair.Images}' is not an IDX3 unsigned-byte file (magic 0x{magic:X8}, {rows}x{cols})");
            }
            if (count != labelCount)
            {
                throw DomainException.InvalidArgument($"'{pair.Images}' holds {count} images but '{pair.Labels}' {labelCount} labels");
            }
            for (var i = 0; i < count; i++)
            {
                var pixels = new byte[rows * cols];
                var label = labels.ReadByte();
                try
                {
                    images.ReadExactly(pixels);
                }
                catch (EndOfStreamException)
                {
                    throw DomainException.InvalidArgument($"'{pair.Images}' ends after {i} of its {count} images (truncated)");
                }
                if (label < 0)
                {
                    throw DomainException.InvalidArgument($"'{pair.Labels}' ends after {i} of its {count} labels (truncated)");
                }
                yield return new SourceSample
                {
                    Id = $"{pair.SplitName}/{i}",
                    SourceSplit = pair.Split,
                    ImagePath = pair.Images,
                    Image = pixels,
                    RawShape = (cols, rows, 1),
                    ClassId = label < classCount ? label : -1,
                    ClassLabel = label.ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
            }
        }
    }

    private static Stream OpenLabels(string root, string path, out int count)
    {
        var stream = OpenStream(root, path);
        var header = ReadHeader(stream, 2, path);
        if (header[0] != LabelsMagic)
        {
            stream.Dispose();
            throw DomainException.InvalidArgument($"'{path}' is not an IDX1 unsigned-byte label file");
        }
        count = header[1];
        return stream;
    }

    private static int[] ReadHeader(Stream stream, int count, string path)
    {
        try
        {
            return IdxFile.ReadHeader(stream, count);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        {
            throw DomainException.InvalidArgument($"'{path}' is too short for an IDX header");
        }
    }

    private static Stream OpenStream(string root, string path) => IdxFile.Open(FormatPaths.Full(root, path));
}
