using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;

namespace Cauchy.Datasets.Tests.Support;

/// <summary>Writes generated shapes in each archive layout the service reads.</summary>
public static class SampleSets
{
    /// <summary>
    /// COCO: images under train/ and val/, annotations/instances_{train,val}.json; category ids are 1-based and
    /// listed out of order; every third object carries a polygon and every fifth an RLE segmentation, every seventh is
    /// iscrowd. The first <paramref name="trainCount"/> images go to train, the rest to val.
    /// </summary>
    public static ArchiveBuilder Coco(IReadOnlyList<ShapeImage> images, int trainCount, Action<Dictionary<string, object>>? edit = null)
    {
        var archive = new ArchiveBuilder();
        var annotationId = 100;
        foreach (var (split, part) in new[] { ("train", images.Take(trainCount).ToList()), ("val", images.Skip(trainCount).ToList()) })
        {
            var imageEntries = new List<object>();
            var annotations = new List<object>();
            foreach (var (image, index) in part.Select((image, index) => (image, index)))
            {
                var imageId = 1000 + images.ToList().IndexOf(image);
                archive.Add($"{split}/{image.Name}.png", image.Png());
                imageEntries.Add(new Dictionary<string, object> { ["id"] = imageId, ["file_name"] = $"{image.Name}.png", ["width"] = image.Width, ["height"] = image.Height });
                foreach (var o in image.Objects)
                {
                    var annotation = new Dictionary<string, object>
                    {
                        ["id"] = annotationId++,
                        ["image_id"] = imageId,
                        ["category_id"] = o.ClassId + 1,
                        ["bbox"] = new[] { o.X0, o.Y0, o.X1 - o.X0, o.Y1 - o.Y0 },
                        ["area"] = (o.X1 - o.X0) * (o.Y1 - o.Y0),
                        ["iscrowd"] = annotationId % 7 == 0 ? 1 : 0,
                    };
                    if (annotationId % 3 == 0)
                    {
                        annotation["segmentation"] = new[] { new[] { o.X0, o.Y0, o.X1, o.Y0, o.X1, o.Y1, o.X0, o.Y1 } };
                    }
                    else if (annotationId % 5 == 0)
                    {
                        annotation["segmentation"] = BoxRle(o, image.Width, image.Height);
                    }
                    annotations.Add(annotation);
                }
            }
            var document = new Dictionary<string, object>
            {
                ["images"] = imageEntries,
                ["annotations"] = annotations,
                ["categories"] = new object[]
                {
                    new Dictionary<string, object> { ["id"] = 3, ["name"] = Shapes.ClassNames[2] },
                    new Dictionary<string, object> { ["id"] = 1, ["name"] = Shapes.ClassNames[0] },
                    new Dictionary<string, object> { ["id"] = 2, ["name"] = Shapes.ClassNames[1] },
                },
            };
            if (split == "train")
            {
                edit?.Invoke(document);
            }
            archive.AddText($"annotations/instances_{split}.json", JsonSerializer.Serialize(document));
        }
        return archive;
    }

    /// <summary>Uncompressed COCO RLE (column-major runs, background first) of a filled box.</summary>
    private static Dictionary<string, object> BoxRle(ShapeObject o, int width, int height)
    {
        var counts = new List<int>();
        var current = 0;
        var run = 0;
        for (var x = 0; x < width; x++)
        {
            for (var y = 0; y < height; y++)
            {
                var value = x >= o.X0 && x < o.X1 && y >= o.Y0 && y < o.Y1 ? 1 : 0;
                if (value != current)
                {
                    counts.Add(run);
                    run = 0;
                    current = value;
                }
                run++;
            }
        }
        counts.Add(run);
        return new Dictionary<string, object> { ["size"] = new[] { height, width }, ["counts"] = counts };
    }

    /// <summary>Pascal VOC inside a VOC2012/ folder: 1-based inclusive boxes; the first <paramref name="trainCount"/> in train.txt, the rest in val.txt.</summary>
    public static ArchiveBuilder Voc(IReadOnlyList<ShapeImage> images, int trainCount, Func<ShapeImage, ShapeObject, int, XElement>? objectXml = null)
    {
        var archive = new ArchiveBuilder();
        foreach (var image in images)
        {
            archive.Add($"VOC2012/JPEGImages/{image.Name}.png", image.Png());
            var xml = new XElement("annotation",
                new XElement("folder", "VOC2012"),
                new XElement("filename", $"{image.Name}.png"),
                new XElement("size", new XElement("width", image.Width), new XElement("height", image.Height), new XElement("depth", 3)),
                image.Objects.Select((o, i) => objectXml?.Invoke(image, o, i) ?? VocObject(Shapes.ClassNames[o.ClassId], o.X0 + 1, o.Y0 + 1, o.X1, o.Y1, i % 4 == 3)));
            archive.AddText($"VOC2012/Annotations/{image.Name}.xml", xml.ToString());
        }
        archive.AddText("VOC2012/ImageSets/Main/train.txt", string.Join("\n", images.Take(trainCount).Select(i => i.Name)) + "\n");
        archive.AddText("VOC2012/ImageSets/Main/val.txt", string.Join("\n", images.Skip(trainCount).Select(i => i.Name)) + "\n");
        return archive;
    }

    public static XElement VocObject(string name, float xmin, float ymin, float xmax, float ymax, bool difficult) =>
        new("object",
            new XElement("name", name),
            new XElement("difficult", difficult ? 1 : 0),
            new XElement("bndbox",
                new XElement("xmin", xmin.ToString(CultureInfo.InvariantCulture)),
                new XElement("ymin", ymin.ToString(CultureInfo.InvariantCulture)),
                new XElement("xmax", xmax.ToString(CultureInfo.InvariantCulture)),
                new XElement("ymax", ymax.ToString(CultureInfo.InvariantCulture))));

    /// <summary>Segmentation masks: images/&lt;name&gt;.png and masks/&lt;name&gt;.png (grey, values class + 1).</summary>
    public static ArchiveBuilder Masks(IReadOnlyList<ShapeImage> images)
    {
        var archive = new ArchiveBuilder();
        foreach (var image in images)
        {
            archive.Add($"images/{image.Name}.png", image.Png());
            archive.Add($"masks/{image.Name}.png", image.MaskPng());
        }
        return archive;
    }

    public static readonly string[] MaskClassNames = ["background", .. Shapes.ClassNames];

    /// <summary>ImageFolder: &lt;class of the first object&gt;/&lt;name&gt;.png inside a wrapping "shapes/" folder.</summary>
    public static ArchiveBuilder ImageFolder(IReadOnlyList<ShapeImage> images)
    {
        var archive = new ArchiveBuilder();
        foreach (var image in images)
        {
            archive.Add($"shapes/{Shapes.ClassNames[image.Objects[0].ClassId]}/{image.Name}.png", image.Png());
        }
        return archive;
    }
}
