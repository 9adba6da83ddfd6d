using Cauchy.Domain;
using Cauchy.Metrics.Segmentation;
using Cauchy.V1;

namespace Cauchy.Metrics.Evaluations;

/// <summary>
/// Semantic segmentation: pixel accuracy, mean class accuracy, mean IoU and frequency-weighted IoU, per class, from a
/// confusion matrix that each streamed pair of masks adds to; the masks themselves are not kept.
/// </summary>
public sealed class SegmentationEvaluator : IEvaluator
{
    /// <summary>Masks hold one byte per pixel, so at most 256 values.</summary>
    public const int MaxClasses = 256;

    private const int DefaultIgnoreIndex = 255;

    private readonly EvaluationHeader _header;
    private readonly SegmentationConfusion _confusion;
    private long _samples;

    private SegmentationEvaluator(EvaluationHeader header, int ignoreIndex)
    {
        _header = header;
        _confusion = new SegmentationConfusion(header.ClassNames.Count, ignoreIndex);
    }

    public long SampleCount => _samples;

    /// <summary>Checks the header's classes and ignore index and starts the evaluation.</summary>
    public static SegmentationEvaluator Start(EvaluationHeader header)
    {
        ClassNames.Check(header);
        if (header.ClassNames.Count > MaxClasses)
        {
            throw DomainException.InvalidArgument("header.class_names", $"masks hold one byte per pixel, so at most {MaxClasses} classes, got {header.ClassNames.Count}");
        }

        var ignoreIndex = header.Segmentation is { HasIgnoreIndex: true } options ? options.IgnoreIndex : DefaultIgnoreIndex;
        if (ignoreIndex is < 0 or > 255)
        {
            throw DomainException.InvalidArgument("header.segmentation.ignore_index", $"must be a mask value, 0 to 255, got {ignoreIndex}");
        }

        if (ignoreIndex < header.ClassNames.Count)
        {
            throw DomainException.InvalidArgument("header.segmentation.ignore_index", $"{ignoreIndex} is a class id (there are {header.ClassNames.Count} classes); choose a value of {header.ClassNames.Count} or more");
        }

        return new SegmentationEvaluator(header, ignoreIndex);
    }

    public void Add(PredictionBatch batch)
    {
        var samples = batch.Segmentation.Samples;
        for (var i = 0; i < samples.Count; i++)
        {
            // Each sample is checked in full before it is counted. A later bad sample leaves the earlier ones counted,
            // but a rejected stream is never stored, so that does not matter.
            var sample = samples[i];
            var where = $"segmentation.samples[{i}]{(sample.SampleId.Length == 0 ? "" : $" (sample_id {sample.SampleId})")}";
            var truth = MaskPixels.Read(sample.GroundTruth, $"{where}.ground_truth");
            var predicted = MaskPixels.Read(sample.Predicted, $"{where}.predicted");
            if (truth.Width != predicted.Width || truth.Height != predicted.Height)
            {
                throw DomainException.InvalidArgument($"{where}.predicted", $"the mask is {predicted.Width}×{predicted.Height} (width×height) but the ground truth is {truth.Width}×{truth.Height}");
            }

            if (_confusion.Add(truth.Values, predicted.Values) is { } bad)
            {
                var mask = bad.InPrediction ? "predicted" : "ground_truth";
                var allowed = bad.InPrediction
                    ? $"a class id, 0 to {_confusion.NumClasses - 1}"
                    : $"a class id, 0 to {_confusion.NumClasses - 1}, or the ignore index {_confusion.IgnoreIndex}";
                throw DomainException.InvalidArgument(
                    $"{where}.{mask}",
                    $"pixel (x {bad.Pixel % truth.Width}, y {bad.Pixel / truth.Width}) holds {bad.Value}, which is not {allowed}");
            }

            _samples++;
        }
    }

    public void Complete(Evaluation evaluation)
    {
        if (_samples == 0)
        {
            throw DomainException.InvalidArgument("batch", "no sample was sent; stream at least one batch of segmentation samples after the header");
        }

        var scores = _confusion.Compute()
            ?? throw DomainException.InvalidArgument("segmentation.samples", $"every ground-truth pixel holds the ignore index {_confusion.IgnoreIndex}; there is nothing to evaluate");
        var result = new SegmentationResult
        {
            PixelAccuracy = scores.PixelAccuracy,
            MeanClassAccuracy = scores.MeanClassAccuracy,
            MeanIou = scores.MeanIou,
            FrequencyWeightedIou = scores.FrequencyWeightedIou,
            NumClasses = _confusion.NumClasses,
            IgnoreIndex = _confusion.IgnoreIndex,
        };
        result.PerClass.AddRange(scores.PerClass.Select(c => new ClassSegmentationMetrics
        {
            ClassId = c.ClassId,
            ClassName = _header.ClassNames[c.ClassId],
            Iou = c.Iou,
            Accuracy = c.Accuracy,
            PixelCount = c.PixelCount,
        }));
        result.ConfusionMatrix.AddRange(_confusion.Counts);

        evaluation.SampleCount = _samples;
        evaluation.Segmentation = result;
        evaluation.ClassNames.AddRange(_header.ClassNames);
        evaluation.Summary.Add("pixel_accuracy", result.PixelAccuracy);
        evaluation.Summary.Add("mean_class_accuracy", result.MeanClassAccuracy);
        evaluation.Summary.Add("mean_iou", result.MeanIou);
        evaluation.Summary.Add("frequency_weighted_iou", result.FrequencyWeightedIou);
    }
}
