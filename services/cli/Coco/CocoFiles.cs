using System.Text.Json;
using Cauchy.V1;

namespace Cauchy.Cli.Coco;

/// <summary>
/// A COCO ground-truth file and a COCO results file, read into the metrics service's messages: the categories, and
/// per image its annotations (in the file's order) and the detections on it (in the results' order), ready to stream.
/// Only what the IoU type needs is kept: boxes always, masks for segm (or detections without a box), keypoints for
/// keypoints. Categories may carry their keypoints' OKS constants as "sigmas" (or "keypoint_sigmas").
/// </summary>
public sealed record CocoFiles(IReadOnlyList<CocoCategory> Categories, IReadOnlyList<CocoImage> Images, int DetectionCount)
{
    /// <summary>Reads both files; a file that is not COCO JSON throws <see cref="CliException"/> saying where.</summary>
    public static CocoFiles Read(string groundTruthPath, string resultsPath, CocoIouType iouType)
    {
        using var truth = JsonDocument.Parse(File.ReadAllBytes(groundTruthPath));
        using var results = JsonDocument.Parse(File.ReadAllBytes(resultsPath));
        return Read(truth.RootElement, results.RootElement, iouType, groundTruthPath, resultsPath);
    }

    public static CocoFiles Read(JsonElement truth, JsonElement results, CocoIouType iouType, string truthName = "ground truth", string resultsName = "results")
    {
        var segm = iouType == CocoIouType.Segm;
        var keypoints = iouType == CocoIouType.Keypoints;

        var categories = new List<CocoCategory>();
        foreach (var c in Array(truth, "categories", truthName))
        {
            var category = new CocoCategory { Id = c.GetProperty("id").GetInt32(), Name = c.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "" };
            if (c.TryGetProperty("keypoints", out var names) && names.ValueKind == JsonValueKind.Array)
            {
                category.Keypoints.AddRange(names.EnumerateArray().Select(k => k.GetString() ?? ""));
            }

            if ((c.TryGetProperty("sigmas", out var sigmas) || c.TryGetProperty("keypoint_sigmas", out sigmas)) && sigmas.ValueKind == JsonValueKind.Array)
            {
                category.KeypointSigmas.AddRange(sigmas.EnumerateArray().Select(s => s.GetDouble()));
            }

            categories.Add(category);
        }

        var images = new List<CocoImage>();
        var byId = new Dictionary<long, CocoImage>();
        foreach (var i in Array(truth, "images", truthName))
        {
            var image = new CocoImage
            {
                ImageId = i.GetProperty("id").GetInt64(),
                Width = i.TryGetProperty("width", out var w) ? w.GetInt32() : 0,
                Height = i.TryGetProperty("height", out var h) ? h.GetInt32() : 0,
            };
            if (byId.TryAdd(image.ImageId, image))
            {
                images.Add(image);
            }
        }

        var index = 0;
        foreach (var a in Array(truth, "annotations", truthName))
        {
            var where = $"{truthName}: annotations[{index++}]";
            var image = Image(byId, a, where);
            var annotation = new CocoAnnotation
            {
                Id = a.TryGetProperty("id", out var id) ? id.GetInt64() : 0,
                CategoryId = a.GetProperty("category_id").GetInt32(),
                Area = a.TryGetProperty("area", out var area) ? area.GetDouble() : 0,
                Iscrowd = a.TryGetProperty("iscrowd", out var crowd) && (crowd.ValueKind == JsonValueKind.True || (crowd.ValueKind == JsonValueKind.Number && crowd.GetDouble() != 0)),
                Bbox = a.TryGetProperty("bbox", out var box) ? Box(box, where) : null,
            };
            if (segm && a.TryGetProperty("segmentation", out var segmentation))
            {
                annotation.Segmentation = Segmentation(segmentation, image, where);
            }

            if (keypoints && a.TryGetProperty("keypoints", out var points))
            {
                annotation.Keypoints.AddRange(points.EnumerateArray().Select(p => p.GetDouble()));
                if (a.TryGetProperty("num_keypoints", out var labelled))
                {
                    annotation.NumKeypoints = labelled.GetInt32();
                }
            }

            image.Annotations.Add(annotation);
        }

        if (results.ValueKind != JsonValueKind.Array)
        {
            throw new CliException($"{resultsName}: a COCO results file is a list of detections");
        }

        index = 0;
        foreach (var d in results.EnumerateArray())
        {
            var where = $"{resultsName}: [{index++}]";
            var image = Image(byId, d, where);
            image.Detections.Add(Detection(d, image, iouType, where));
        }

        return new CocoFiles(categories, images, index);
    }

    /// <summary>
    /// A results file alone, for an evaluation against a dataset version: the detections grouped by image_id, images in
    /// the order of their first detection, without annotations or sizes (the service has the ground truth).
    /// </summary>
    public static IReadOnlyList<CocoImage> ReadResults(JsonElement results, CocoIouType iouType, string resultsName = "results")
    {
        if (results.ValueKind != JsonValueKind.Array)
        {
            throw new CliException($"{resultsName}: a COCO results file is a list of detections");
        }

        var images = new List<CocoImage>();
        var byId = new Dictionary<long, CocoImage>();
        var index = 0;
        foreach (var d in results.EnumerateArray())
        {
            var where = $"{resultsName}: [{index++}]";
            var id = d.GetProperty("image_id").GetInt64();
            if (!byId.TryGetValue(id, out var image))
            {
                byId[id] = image = new CocoImage { ImageId = id };
                images.Add(image);
            }

            image.Detections.Add(Detection(d, image, iouType, where));
        }

        return images;
    }

    private static CocoDetection Detection(JsonElement d, CocoImage image, CocoIouType iouType, string where)
    {
        var detection = new CocoDetection
        {
            CategoryId = d.GetProperty("category_id").GetInt32(),
            Score = d.GetProperty("score").GetDouble(),
            Bbox = d.TryGetProperty("bbox", out var box) && box.GetArrayLength() > 0 ? Box(box, where) : null,
        };
        if ((iouType == CocoIouType.Segm || detection.Bbox is null) && d.TryGetProperty("segmentation", out var segmentation))
        {
            detection.Segmentation = Segmentation(segmentation, image, where);
        }

        if ((iouType == CocoIouType.Keypoints || (detection.Bbox is null && detection.Segmentation is null)) && d.TryGetProperty("keypoints", out var points))
        {
            detection.Keypoints.AddRange(points.EnumerateArray().Select(p => p.GetDouble()));
        }

        return detection;
    }

    /// <summary>The images in batches of about <paramref name="maxBytes"/> each (an image is never split).</summary>
    public IEnumerable<CocoImages> Batches(int maxBytes = 1 << 20)
    {
        var batch = new CocoImages();
        var size = 0;
        foreach (var image in Images)
        {
            var imageSize = image.CalculateSize();
            if (batch.Images.Count > 0 && size + imageSize > maxBytes)
            {
                yield return batch;
                batch = new CocoImages();
                size = 0;
            }

            batch.Images.Add(image);
            size += imageSize;
        }

        if (batch.Images.Count > 0)
        {
            yield return batch;
        }
    }

    private static JsonElement.ArrayEnumerator Array(JsonElement root, string name, string file) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray()
            : name == "annotations" && root.ValueKind == JsonValueKind.Object && !root.TryGetProperty(name, out _)
                ? default
                : throw new CliException($"{file}: a COCO ground-truth file needs a \"{name}\" list");

    private static CocoImage Image(Dictionary<long, CocoImage> images, JsonElement item, string where)
    {
        var id = item.GetProperty("image_id").GetInt64();
        return images.TryGetValue(id, out var image)
            ? image
            : throw new CliException($"{where}: image_id {id} is not an image of the ground truth");
    }

    private static CocoBox Box(JsonElement box, string where)
    {
        if (box.ValueKind != JsonValueKind.Array || box.GetArrayLength() != 4)
        {
            throw new CliException($"{where}: bbox must be [x, y, width, height]");
        }

        return new CocoBox { X = box[0].GetDouble(), Y = box[1].GetDouble(), Width = box[2].GetDouble(), Height = box[3].GetDouble() };
    }

    private static CocoSegmentation Segmentation(JsonElement segmentation, CocoImage image, string where)
    {
        if (segmentation.ValueKind == JsonValueKind.Array)
        {
            var polygons = new CocoPolygons();
            foreach (var polygon in segmentation.EnumerateArray())
            {
                var p = new CocoPolygon();
                p.Coordinates.AddRange(polygon.EnumerateArray().Select(v => v.GetDouble()));
                polygons.Polygons.Add(p);
            }

            return new CocoSegmentation { Polygons = polygons };
        }

        if (segmentation.ValueKind != JsonValueKind.Object || !segmentation.TryGetProperty("counts", out var counts))
        {
            throw new CliException($"{where}: segmentation must be a list of polygons or an RLE with size and counts");
        }

        var rle = new CocoRle { Height = image.Height, Width = image.Width };
        if (segmentation.TryGetProperty("size", out var size) && size.GetArrayLength() == 2)
        {
            rle.Height = size[0].GetInt32();
            rle.Width = size[1].GetInt32();
        }

        if (counts.ValueKind == JsonValueKind.String)
        {
            rle.Counts = counts.GetString()!;
        }
        else
        {
            rle.UncompressedCounts.AddRange(counts.EnumerateArray().Select(c => c.GetUInt32()));
        }

        return new CocoSegmentation { Rle = rle };
    }
}
