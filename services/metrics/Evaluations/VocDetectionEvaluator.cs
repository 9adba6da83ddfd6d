using Cauchy.Domain;
using Cauchy.Metrics.Voc;
using Cauchy.V1;

namespace Cauchy.Metrics.Evaluations;

/// <summary>
/// Pascal VOC detection: per-class AP at IoU 0.5 (or the header's thresholds) with the devkit's matching, difficult
/// objects ignored, all-point (VOC2010 and later) or 11-point (VOC2007) interpolation, and their mean over the classes
/// with ground truth. Each image is matched when it arrives; only scores and outcomes are kept.
/// </summary>
public sealed class VocDetectionEvaluator : IEvaluator
{
    private const int MaxThresholds = 64;

    private readonly EvaluationHeader _header;
    private readonly double[] _thresholds;
    private readonly int[] _mapThresholds;
    private readonly int _at50;
    private readonly int _at75;
    private readonly int _maxDetections;
    private readonly bool _elevenPoint;
    private readonly VocClassRanking[] _classes;
    private long _samples;

    private VocDetectionEvaluator(EvaluationHeader header, double[] mapThresholds)
    {
        _header = header;
        _thresholds = [.. mapThresholds.Append(0.5).Append(0.75).Distinct()];
        _mapThresholds = [.. mapThresholds.Select(t => Array.IndexOf(_thresholds, t))];
        _at50 = Array.IndexOf(_thresholds, 0.5);
        _at75 = Array.IndexOf(_thresholds, 0.75);
        _maxDetections = header.Detection?.MaxDetectionsPerImage ?? 0;
        _elevenPoint = header.Detection?.Voc11Point ?? false;
        _classes = [.. header.ClassNames.Select(_ => new VocClassRanking(_thresholds.Length))];
    }

    public long SampleCount => _samples;

    /// <summary>Checks the header's classes and detection options and starts the evaluation.</summary>
    public static VocDetectionEvaluator Start(EvaluationHeader header)
    {
        ClassNames.Check(header);
        var options = header.Detection ?? new DetectionOptions();
        if (options.MaxDetectionsPerImage < 0)
        {
            throw DomainException.InvalidArgument("header.detection.max_detections_per_image", $"must not be negative, got {options.MaxDetectionsPerImage}");
        }

        if (options.IouThresholds.Count > MaxThresholds)
        {
            throw DomainException.InvalidArgument("header.detection.iou_thresholds", $"at most {MaxThresholds} thresholds, got {options.IouThresholds.Count}");
        }

        for (var i = 0; i < options.IouThresholds.Count; i++)
        {
            if (!(options.IouThresholds[i] is > 0 and <= 1))
            {
                throw DomainException.InvalidArgument($"header.detection.iou_thresholds[{i}]", $"must be in (0, 1], got {options.IouThresholds[i]}");
            }
        }

        return new VocDetectionEvaluator(header, options.IouThresholds.Count == 0 ? [0.5] : [.. options.IouThresholds.Distinct()]);
    }

    public void Add(PredictionBatch batch)
    {
        var samples = batch.Detection.Samples;
        for (var i = 0; i < samples.Count; i++)
        {
            Check(samples[i], $"detection.samples[{i}]{Named(samples[i].SampleId)}");
        }

        // Matched only once the whole batch is valid, so that a rejected batch adds nothing.
        foreach (var sample in samples)
        {
            Match(sample);
            _samples++;
        }
    }

    public void Complete(Evaluation evaluation)
    {
        if (_samples == 0)
        {
            throw DomainException.InvalidArgument("batch", "no sample was sent; stream at least one batch of detection samples after the header");
        }

        var result = new DetectionResult
        {
            MapSmall = -1,
            MapMedium = -1,
            MapLarge = -1,
            Mar1 = -1,
            Mar10 = -1,
            Mar100 = -1,
            MarSmall = -1,
            MarMedium = -1,
            MarLarge = -1,
        };
        var ap = new double[_classes.Length][];
        for (var c = 0; c < _classes.Length; c++)
        {
            ap[c] = [.. Enumerable.Range(0, _thresholds.Length).Select(t => _classes[c].AveragePrecision(t, _elevenPoint))];
            result.PerClass.Add(new ClassAveragePrecision
            {
                ClassId = c,
                ClassName = _header.ClassNames[c],
                Ap = _classes[c].Positives == 0 ? -1 : _mapThresholds.Average(t => ap[c][t]),
                Ap50 = ap[c][_at50],
                Ar100 = -1,
                GroundTruthCount = _classes[c].Positives,
                DetectionCount = _classes[c].DetectionCount,
            });
        }

        var evaluated = Enumerable.Range(0, _classes.Length).Where(c => _classes[c].Positives > 0).ToList();
        double Mean(Func<int, double> classAp) => evaluated.Count == 0 ? -1 : evaluated.Average(classAp);
        result.Map = Mean(c => result.PerClass[c].Ap);
        result.Map50 = Mean(c => ap[c][_at50]);
        result.Map75 = Mean(c => ap[c][_at75]);

        evaluation.SampleCount = _samples;
        evaluation.Detection = result;
        evaluation.ClassNames.AddRange(_header.ClassNames);
        evaluation.Summary.Add("map", result.Map);
        evaluation.Summary.Add("map50", result.Map50);
        evaluation.Summary.Add("map75", result.Map75);
    }

    private void Check(DetectionSample sample, string where)
    {
        for (var d = 0; d < sample.Detections.Count; d++)
        {
            var detection = sample.Detections[d];
            CheckBox(detection.Box, $"{where}.detections[{d}].box");
            CheckClass(detection.ClassId, $"{where}.detections[{d}].class_id");
            if (float.IsNaN(detection.Score))
            {
                throw DomainException.InvalidArgument($"{where}.detections[{d}].score", "must be a number, got NaN");
            }
        }

        for (var o = 0; o < sample.GroundTruth.Count; o++)
        {
            CheckBox(sample.GroundTruth[o].Box, $"{where}.ground_truth[{o}].box");
            CheckClass(sample.GroundTruth[o].ClassId, $"{where}.ground_truth[{o}].class_id");
        }
    }

    private void CheckClass(int classId, string field)
    {
        if (classId < 0 || classId >= _classes.Length)
        {
            throw DomainException.InvalidArgument(field, $"class {classId} is not a class id of header.class_names (0 to {_classes.Length - 1})");
        }
    }

    private static void CheckBox(BoundingBox? box, string field)
    {
        if (box is null)
        {
            throw DomainException.InvalidArgument(field, "is required");
        }

        if (!float.IsFinite(box.XMin) || !float.IsFinite(box.YMin) || !float.IsFinite(box.XMax) || !float.IsFinite(box.YMax))
        {
            throw DomainException.InvalidArgument(field, $"coordinates must be finite numbers, got ({box.XMin}, {box.YMin}, {box.XMax}, {box.YMax})");
        }

        if (box.XMax < box.XMin || box.YMax < box.YMin)
        {
            throw DomainException.InvalidArgument(field, $"width and height must not be negative, got {box.XMax - box.XMin}×{box.YMax - box.YMin}");
        }
    }

    private void Match(DetectionSample sample)
    {
        // Descending score, equal scores in the order sent (OrderByDescending is stable), as the devkit ranks them.
        IEnumerable<ScoredBox> ranked = sample.Detections.OrderByDescending(d => d.Score);
        if (_maxDetections > 0)
        {
            ranked = ranked.Take(_maxDetections);
        }

        var detections = ranked.ToLookup(d => d.ClassId);
        var objects = sample.GroundTruth.ToLookup(o => o.ClassId);
        foreach (var group in objects)
        {
            _classes[group.Key].Positives += group.Count(o => !o.Difficult);
        }

        foreach (var group in detections)
        {
            var ofClass = group.ToList();
            var boxes = ofClass.Select(d => d.Box).ToList();
            var objectsOfClass = objects[group.Key].ToList();
            var perThreshold = new VocOutcome[_thresholds.Length][];
            for (var t = 0; t < _thresholds.Length; t++)
            {
                perThreshold[t] = new VocOutcome[ofClass.Count];
                VocMatching.Match(boxes, objectsOfClass, _thresholds[t], perThreshold[t]);
            }

            var row = new VocOutcome[_thresholds.Length];
            for (var d = 0; d < ofClass.Count; d++)
            {
                for (var t = 0; t < _thresholds.Length; t++)
                {
                    row[t] = perThreshold[t][d];
                }

                _classes[group.Key].Add(ofClass[d].Score, row);
            }
        }
    }

    private static string Named(string sampleId) => sampleId.Length == 0 ? "" : $" (sample_id {sampleId})";
}
