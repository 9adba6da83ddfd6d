using System.Formats.Tar;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Cauchy.Datasets.Tests.Support;

namespace Cauchy.Metrics.Tests.Support;

/// <summary>
/// Tar archives in the datasets service's import formats, built from ground truth the tests also evaluate from files:
/// a COCO file with blank images of its sizes, VOC annotations, segmentation masks. Every sample is in the test split.
/// </summary>
public static class DatasetArchives
{
    /// <summary>A COCO ground-truth file as annotations/instances_test.json, with a blank PNG of each image's size.</summary>
    public static byte[] Coco(string groundTruthPath)
    {
        var json = File.ReadAllBytes(groundTruthPath);
        using var document = JsonDocument.Parse(json);
        var files = new List<(string, byte[])> { ("annotations/instances_test.json", json) };
        foreach (var image in document.RootElement.GetProperty("images").EnumerateArray())
        {
            var (width, height) = (image.GetProperty("width").GetInt32(), image.GetProperty("height").GetInt32());
            files.Add(("images/" + image.GetProperty("file_name").GetString(), PngWriter.Grey(width, height, new byte[width * height])));
        }

        return Tar(files);
    }

    /// <summary>Pascal VOC: Annotations/&lt;id&gt;.xml, JPEGImages/&lt;id&gt;.png and ImageSets/Main/test.txt listing every id.</summary>
    public static byte[] Voc(IEnumerable<(string Id, int Width, int Height, (string Name, int XMin, int YMin, int XMax, int YMax, bool Difficult)[] Objects)> images)
    {
        var files = new List<(string, byte[])>();
        var ids = new List<string>();
        foreach (var (id, width, height, objects) in images)
        {
            ids.Add(id);
            files.Add(($"Annotations/{id}.xml", Encoding.UTF8.GetBytes(VocAnnotation(width, height, objects, $"{id}.png"))));
            files.Add(($"JPEGImages/{id}.png", PngWriter.Grey(width, height, new byte[width * height])));
        }

        files.Add(("ImageSets/Main/test.txt", Encoding.UTF8.GetBytes(string.Join('\n', ids) + "\n")));
        return Tar(files);
    }

    /// <summary>A VOC annotation file (1-based inclusive coordinates).</summary>
    public static string VocAnnotation(int width, int height, (string Name, int XMin, int YMin, int XMax, int YMax, bool Difficult)[] objects, string? fileName = null) =>
        "<annotation>" + (fileName is null ? "" : $"<filename>{fileName}</filename>")
        + $"<size><width>{width}</width><height>{height}</height><depth>3</depth></size>"
        + string.Concat(objects.Select(o => string.Create(CultureInfo.InvariantCulture,
            $"<object><name>{o.Name}</name><difficult>{(o.Difficult ? 1 : 0)}</difficult><bndbox><xmin>{o.XMin}</xmin><ymin>{o.YMin}</ymin><xmax>{o.XMax}</xmax><ymax>{o.YMax}</ymax></bndbox></object>")))
        + "</annotation>";

    /// <summary>Segmentation masks: images/test/&lt;name&gt;.png and masks/test/&lt;name&gt;.png; the samples' ids are "test/&lt;name&gt;".</summary>
    public static byte[] Segmentation(IEnumerable<(string Name, int Width, int Height, byte[] MaskPng)> samples) =>
        Tar([.. samples.SelectMany(s => new[]
        {
            ($"images/test/{s.Name}.png", PngWriter.Grey(s.Width, s.Height, new byte[s.Width * s.Height])),
            ($"masks/test/{s.Name}.png", s.MaskPng),
        })]);

    private static byte[] Tar(IEnumerable<(string Name, byte[] Bytes)> files)
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, bytes) in files)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) });
            }
        }

        return output.ToArray();
    }
}
