using Cauchy.Domain;
using Cauchy.Metrics.Coco;
using Cauchy.V1;
using CocoCategory = Cauchy.Metrics.Coco.CocoCategory;
using CocoDetection = Cauchy.Metrics.Coco.CocoDetection;
using CocoImage = Cauchy.Metrics.Coco.CocoImage;

namespace Cauchy.Metrics.Evaluations;

/// <summary>
/// COCO detection, instance segmentation and keypoints: checks the streamed images against the header's categories
/// and feeds them to a <see cref="CocoEvaluator"/>, one image at a time.
/// </summary>
/// <remarks>
/// At the house limit on class size because most of it is input checking: each field of the streamed images,
/// annotations and detections is checked and named in its own INVALID_ARGUMENT message before anything is kept.
/// </remarks>
public sealed class CocoDetectionEvaluator : IEvaluator
{
    /// <summary>The largest image side: masks index pixels with 32-bit numbers, as the COCO API does.</summary>
    public const int MaxImageSide = 32768;

    private readonly CocoOptions _options;
    private readonly CocoParameters _parameters;
    private readonly Dictionary<int, CocoCategory> _categories;
    private readonly CocoEvaluator _evaluator;
    private readonly HashSet<long> _imageIds = [];

    private CocoDetectionEvaluator(CocoOptions options, CocoParameters parameters, IReadOnlyList<CocoCategory> categories)
    {
        _options = options;
        _parameters = parameters;
        _categories = categories.ToDictionary(c => c.Id);
        _evaluator = new CocoEvaluator(parameters, categories);
    }

    public long SampleCount => _evaluator.ImageCount;

    /// <summary>Checks the header's COCO options and starts the evaluation.</summary>
    public static CocoDetectionEvaluator Start(EvaluationHeader header)
    {
        var options = header.Coco ?? throw DomainException.InvalidArgument("header.coco", "is required for COCO evaluation: it lists the categories");
        var iouType = options.IouType switch
        {
            V1.CocoIouType.Unspecified or V1.CocoIouType.Bbox => Coco.CocoIouType.Bbox,
            V1.CocoIouType.Segm => Coco.CocoIouType.Segm,
            V1.CocoIouType.Keypoints => Coco.CocoIouType.Keypoints,
            _ => throw DomainException.InvalidArgument("header.coco.iou_type", $"unknown value {(int)options.IouType}"),
        };
        var defaults = CocoParameters.Defaults(iouType);
        var parameters = defaults with
        {
            IouThresholds = options.IouThresholds.Count == 0 ? defaults.IouThresholds : CheckedThresholds(options.IouThresholds),
            MaxDetections = options.MaxDetections.Count == 0 ? defaults.MaxDetections : CheckedMaxDetections(options.MaxDetections, defaults),
            AreaRanges = options.AreaRanges.Count == 0 ? defaults.AreaRanges : CheckedAreaRanges(options.AreaRanges, defaults),
            UseCategories = !options.ClassAgnostic,
        };

        if (options.Categories.Count == 0)
        {
            throw DomainException.InvalidArgument("header.coco.categories", "at least one category is required");
        }

        var categories = new List<CocoCategory>();
        var ids = new HashSet<int>();
        for (var i = 0; i < options.Categories.Count; i++)
        {
            var c = options.Categories[i];
            var field = $"header.coco.categories[{i}]";
            if (!ids.Add(c.Id))
            {
                throw DomainException.InvalidArgument($"{field}.id", $"category id {c.Id} appears twice");
            }

            IReadOnlyList<double> sigmas = [.. c.KeypointSigmas];
            if (iouType == Coco.CocoIouType.Keypoints)
            {
                if (sigmas.Count == 0)
                {
                    if (c.Keypoints.Count is not (0 or 17))
                    {
                        throw DomainException.InvalidArgument($"{field}.keypoint_sigmas",
                            $"category {c.Id} names {c.Keypoints.Count} keypoints; give their sigmas (COCO's defaults are for the 17 person keypoints)");
                    }

                    sigmas = CocoCategory.PersonSigmas;
                }
                else if (c.Keypoints.Count != 0 && c.Keypoints.Count != sigmas.Count)
                {
                    throw DomainException.InvalidArgument($"{field}.keypoint_sigmas", $"category {c.Id} has {sigmas.Count} sigmas for {c.Keypoints.Count} keypoints");
                }
                else if (sigmas.Any(s => !double.IsFinite(s) || s <= 0))
                {
                    throw DomainException.InvalidArgument($"{field}.keypoint_sigmas", $"category {c.Id}: sigmas must be positive numbers");
                }
            }

            categories.Add(new CocoCategory(c.Id, c.Name.Length == 0 ? c.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : c.Name, sigmas));
        }

        var echo = options.Clone();
        echo.IouType = options.IouType == V1.CocoIouType.Unspecified ? V1.CocoIouType.Bbox : options.IouType;
        echo.IouThresholds.Clear();
        echo.IouThresholds.AddRange(parameters.IouThresholds);
        echo.MaxDetections.Clear();
        echo.MaxDetections.AddRange(parameters.MaxDetections);
        echo.AreaRanges.Clear();
        echo.AreaRanges.AddRange(parameters.AreaRanges.Select(a => new CocoAreaRange { Label = a.Label, MinArea = a.Min, MaxArea = a.Max }));
        return new CocoDetectionEvaluator(echo, parameters, categories);
    }

    public void Add(PredictionBatch batch)
    {
        // Check and convert the whole batch first, so that a rejected batch leaves the evaluation untouched.
        var images = batch.Coco.Images;
        var converted = new List<(CocoImage Image, List<CocoGroundTruth> Truth, List<CocoDetection> Detections)>(images.Count);
        var batchIds = new HashSet<long>();
        for (var i = 0; i < images.Count; i++)
        {
            var image = images[i];
            var where = $"coco.images[{i}] (image_id {image.ImageId})";
            if (_imageIds.Contains(image.ImageId) || !batchIds.Add(image.ImageId))
            {
                throw DomainException.InvalidArgument($"{where}.image_id", "was already sent; send each image once, with all its annotations and detections");
            }

            if (image.Width is <= 0 or > MaxImageSide || image.Height is <= 0 or > MaxImageSide)
            {
                throw DomainException.InvalidArgument($"{where}.width",
                    $"width and height must be between 1 and {MaxImageSide}, got {image.Width}×{image.Height}");
            }

            var cocoImage = new CocoImage(image.ImageId, image.Width, image.Height);
            var truth = new List<CocoGroundTruth>(image.Annotations.Count);
            for (var j = 0; j < image.Annotations.Count; j++)
            {
                truth.Add(ToGroundTruth(cocoImage, image.Annotations[j], $"{where}.annotations[{j}] (id {image.Annotations[j].Id})"));
            }

            var detections = new List<CocoDetection>(image.Detections.Count);
            for (var j = 0; j < image.Detections.Count; j++)
            {
                detections.Add(ToDetection(cocoImage, image.Detections[j], $"{where}.detections[{j}]"));
            }

            converted.Add((cocoImage, truth, detections));
        }

        foreach (var (image, truth, detections) in converted)
        {
            _imageIds.Add(image.Id);
            _evaluator.AddImage(image, truth, detections);
        }
    }

    public void Complete(Evaluation evaluation)
    {
        if (_evaluator.ImageCount == 0)
        {
            throw DomainException.InvalidArgument("batch", "no image was sent; stream at least one batch of COCO images after the header");
        }

        var report = _evaluator.Finish();
        var stats = report.Stats;
        var keypoints = _parameters.IouType == Coco.CocoIouType.Keypoints;
        var result = new DetectionResult
        {
            Map = stats[0],
            Map50 = stats[1],
            Map75 = stats[2],
            MapSmall = keypoints ? -1 : stats[3],
            MapMedium = keypoints ? stats[3] : stats[4],
            MapLarge = keypoints ? stats[4] : stats[5],
            Mar1 = keypoints ? -1 : stats[6],
            Mar10 = keypoints ? -1 : stats[7],
            Mar100 = keypoints ? stats[5] : stats[8],
            MarSmall = keypoints ? -1 : stats[9],
            MarMedium = keypoints ? stats[8] : stats[10],
            MarLarge = keypoints ? stats[9] : stats[11],
            Coco = _options,
        };
        result.Stats.AddRange(stats);
        result.PerClass.AddRange(report.PerCategory.Select(c => new ClassAveragePrecision
        {
            ClassId = c.CategoryId,
            ClassName = c.Name,
            Ap = c.Ap,
            Ap50 = c.Ap50,
            Ar100 = c.Ar,
            GroundTruthCount = c.GroundTruthCount,
            DetectionCount = c.DetectionCount,
        }));

        evaluation.SampleCount = report.ImageCount;
        evaluation.Detection = result;
        evaluation.ClassNames.AddRange(_categories.Values.OrderBy(c => c.Id).Select(c => c.Name));
        for (var i = 0; i < stats.Count; i++)
        {
            evaluation.Summary[report.StatNames[i]] = stats[i];
        }
    }

    private CocoGroundTruth ToGroundTruth(CocoImage image, CocoAnnotation annotation, string where)
    {
        var category = Category(annotation.CategoryId, $"{where}.category_id");
        var box = annotation.Bbox is null
            ? throw DomainException.InvalidArgument($"{where}.bbox", "is required")
            : CheckedBox(annotation.Bbox, $"{where}.bbox");
        if (!double.IsFinite(annotation.Area) || annotation.Area < 0)
        {
            throw DomainException.InvalidArgument($"{where}.area", $"must be a number ≥ 0, got {annotation.Area}");
        }

        RunLengthMask? mask = null;
        if (annotation.Segmentation is { } segmentation)
        {
            mask = Mask(image, segmentation, $"{where}.segmentation", rasterisePolygons: _parameters.IouType == Coco.CocoIouType.Segm);
        }

        if (_parameters.IouType == Coco.CocoIouType.Segm && mask is null)
        {
            throw DomainException.InvalidArgument($"{where}.segmentation", "is required for segm evaluation");
        }

        double[]? keypoints = null;
        var labelled = 0;
        if (_parameters.IouType == Coco.CocoIouType.Keypoints)
        {
            keypoints = CheckedKeypoints(annotation.Keypoints, category, $"{where}.keypoints");
            for (var i = 2; i < keypoints.Length; i += 3)
            {
                labelled += keypoints[i] > 0 ? 1 : 0;
            }

            if (annotation.HasNumKeypoints)
            {
                labelled = annotation.NumKeypoints >= 0
                    ? annotation.NumKeypoints
                    : throw DomainException.InvalidArgument($"{where}.num_keypoints", $"must not be negative, got {annotation.NumKeypoints}");
            }
        }

        return new CocoGroundTruth(annotation.Id, annotation.CategoryId, box, annotation.Area, annotation.Iscrowd, mask, keypoints, labelled);
    }

    private CocoDetection ToDetection(CocoImage image, V1.CocoDetection detection, string where)
    {
        var category = Category(detection.CategoryId, $"{where}.category_id");
        if (!double.IsFinite(detection.Score))
        {
            throw DomainException.InvalidArgument($"{where}.score", $"must be a number, got {detection.Score}");
        }

        Box? box = detection.Bbox is null ? null : CheckedBox(detection.Bbox, $"{where}.bbox");
        RunLengthMask? mask = null;
        if (detection.Segmentation is { } segmentation)
        {
            if (segmentation.MaskCase != CocoSegmentation.MaskOneofCase.Rle)
            {
                throw DomainException.InvalidArgument($"{where}.segmentation", "a detection's mask must be a run-length encoding");
            }

            mask = Mask(image, segmentation, $"{where}.segmentation", rasterisePolygons: false);
        }

        double[]? keypoints = null;
        if (_parameters.IouType == Coco.CocoIouType.Keypoints)
        {
            keypoints = CheckedKeypoints(detection.Keypoints, category, $"{where}.keypoints");
        }

        var needed = _parameters.IouType switch
        {
            Coco.CocoIouType.Keypoints => true,
            _ => box is not null || mask is not null,
        };
        if (!needed)
        {
            throw DomainException.InvalidArgument($"{where}.bbox", $"a {_parameters.IouType.ToString().ToLowerInvariant()} detection needs a bbox or a segmentation");
        }

        return CocoDetection.FromResult(detection.CategoryId, detection.Score, box, mask, keypoints);
    }

    private CocoCategory Category(int id, string field) =>
        _categories.TryGetValue(id, out var category)
            ? category
            : throw DomainException.InvalidArgument(field, $"category {id} is not one of header.coco.categories");

    private static Box CheckedBox(CocoBox box, string field)
    {
        if (!double.IsFinite(box.X) || !double.IsFinite(box.Y) || !double.IsFinite(box.Width) || !double.IsFinite(box.Height))
        {
            throw DomainException.InvalidArgument(field, "coordinates must be numbers");
        }

        if (box.Width < 0 || box.Height < 0)
        {
            throw DomainException.InvalidArgument(field, $"width and height must not be negative, got {box.Width}×{box.Height}");
        }

        return new Box(box.X, box.Y, box.Width, box.Height);
    }

    private static double[] CheckedKeypoints(IReadOnlyList<double> keypoints, CocoCategory category, string field)
    {
        var expected = category.KeypointSigmas.Count * 3;
        if (keypoints.Count != expected)
        {
            throw DomainException.InvalidArgument(field,
                $"category {category.Id} has {category.KeypointSigmas.Count} keypoints, so {expected} values (x, y, v for each) are needed, got {keypoints.Count}");
        }

        if (keypoints.Any(v => !double.IsFinite(v)))
        {
            throw DomainException.InvalidArgument(field, "values must be numbers");
        }

        return [.. keypoints];
    }

    private static RunLengthMask? Mask(CocoImage image, CocoSegmentation segmentation, string field, bool rasterisePolygons)
    {
        switch (segmentation.MaskCase)
        {
            case CocoSegmentation.MaskOneofCase.Polygons:
                var polygons = segmentation.Polygons.Polygons;
                if (polygons.Count == 0)
                {
                    throw DomainException.InvalidArgument($"{field}.polygons", "at least one polygon is needed");
                }

                for (var i = 0; i < polygons.Count; i++)
                {
                    var xy = polygons[i].Coordinates;
                    if (xy.Count < 6 || xy.Count % 2 != 0 || xy.Any(v => !double.IsFinite(v)))
                    {
                        throw DomainException.InvalidArgument($"{field}.polygons[{i}]", $"a polygon needs x, y pairs of numbers for at least 3 points, got {xy.Count} values");
                    }

                    // Rasterising walks every edge point by point, so points far outside the image would cost without
                    // changing the mask much; they are refused.
                    for (var j = 0; j < xy.Count; j += 2)
                    {
                        if (xy[j] < -image.Width || xy[j] > 2.0 * image.Width || xy[j + 1] < -image.Height || xy[j + 1] > 2.0 * image.Height)
                        {
                            throw DomainException.InvalidArgument($"{field}.polygons[{i}]",
                                $"point {j / 2} ({xy[j]}, {xy[j + 1]}) is more than an image size outside the {image.Width}×{image.Height} image");
                        }
                    }
                }

                return rasterisePolygons
                    ? RunLengthMask.FromPolygons(image.Height, image.Width, [.. polygons.Select(p => p.Coordinates.ToArray())])
                    : null;
            case CocoSegmentation.MaskOneofCase.Rle:
                var rle = segmentation.Rle;
                if (rle.Height != image.Height || rle.Width != image.Width)
                {
                    throw DomainException.InvalidArgument($"{field}.rle", $"the mask is {rle.Height}×{rle.Width} (height×width) but the image is {image.Height}×{image.Width}");
                }

                var mask = rle.Counts.Length > 0
                    ? RunLengthMask.FromCompressed(rle.Height, rle.Width, rle.Counts, out var error)
                    : RunLengthMask.FromCounts(rle.Height, rle.Width, [.. rle.UncompressedCounts.Select(c => (long)c)], out error);
                return mask ?? throw DomainException.InvalidArgument($"{field}.rle", $"does not decode: {error}");
            default:
                throw DomainException.InvalidArgument(field, "needs polygons or an RLE");
        }
    }

    private static double[] CheckedThresholds(IReadOnlyList<double> thresholds)
    {
        if (thresholds.Count > 64 || thresholds.Any(t => !double.IsFinite(t) || t < 0 || t > 1))
        {
            throw DomainException.InvalidArgument("header.coco.iou_thresholds", "at most 64 thresholds, each between 0 and 1");
        }

        return [.. thresholds];
    }

    private static int[] CheckedMaxDetections(IReadOnlyList<int> maxDetections, CocoParameters defaults)
    {
        var count = defaults.MaxDetections.Count;
        if ((count == 3 && maxDetections.Count != 3) || maxDetections.Any(m => m <= 0)
            || maxDetections.Zip(maxDetections.Skip(1)).Any(p => p.First > p.Second))
        {
            throw DomainException.InvalidArgument("header.coco.max_detections",
                count == 3 ? "needs three positive ascending values (the summary's AR@1, AR@10, AR@100)" : "needs positive ascending values");
        }

        return [.. maxDetections];
    }

    private static AreaRange[] CheckedAreaRanges(IReadOnlyList<CocoAreaRange> ranges, CocoParameters defaults)
    {
        var labels = defaults.AreaRanges.Select(a => a.Label).ToArray();
        if (!ranges.Select(r => r.Label).SequenceEqual(labels)
            || ranges.Any(r => double.IsNaN(r.MinArea) || double.IsNaN(r.MaxArea) || r.MinArea > r.MaxArea))
        {
            throw DomainException.InvalidArgument("header.coco.area_ranges",
                $"needs the ranges {string.Join(", ", labels)}, in this order, each with min_area ≤ max_area");
        }

        return [.. ranges.Select(r => new AreaRange(r.Label, r.MinArea, r.MaxArea))];
    }
}
