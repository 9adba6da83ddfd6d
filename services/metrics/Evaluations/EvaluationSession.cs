using Cauchy.Datasets.Images;
using Cauchy.Domain;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;

namespace Cauchy.Metrics.Evaluations;

/// <summary>
/// One Evaluate call: validates the header, hands the streamed batches to the <see cref="IEvaluator"/> of its kind,
/// and produces the <see cref="Evaluation"/> to store. Errors in the caller's input throw an INVALID_ARGUMENT
/// <see cref="DomainException"/> naming the field.
/// </summary>
public sealed class EvaluationSession
{
    private readonly EvaluationHeader _header;
    private readonly IEvaluator _evaluator;
    private readonly PredictionBatch.PredictionsOneofCase _batchCase;
    private readonly EvaluationLimits _limits;
    private readonly TimeProvider _time;
    private TimeSpan _computeTime;

    private EvaluationSession(EvaluationHeader header, IEvaluator evaluator, PredictionBatch.PredictionsOneofCase batchCase, EvaluationLimits limits, TimeProvider time)
    {
        _header = header;
        _evaluator = evaluator;
        _batchCase = batchCase;
        _limits = limits;
        _time = time;
    }

    public long SampleCount => _evaluator.SampleCount;

    /// <summary>Checks the header, against <paramref name="limits"/> too (the defaults when null), and starts a session for its kind.</summary>
    /// <exception cref="DomainException">The header is invalid (InvalidArgument).</exception>
    public static EvaluationSession Start(EvaluationHeader header, EvaluationLimits? limits = null, TimeProvider? time = null)
    {
        limits ??= new EvaluationLimits();
        CheckLimits(header, limits);
        if (header.Epoch < 0)
        {
            throw DomainException.InvalidArgument("header.epoch", $"must not be negative, got {header.Epoch}");
        }

        if (header.ModelVersion is { } model && (model.Version < 0 || (model.Version > 0 && model.ModelName.Length == 0)))
        {
            throw DomainException.InvalidArgument("header.model_version", "needs a model name and a version ≥ 1");
        }

        header = header.Clone();
        (IEvaluator evaluator, PredictionBatch.PredictionsOneofCase batchCase) = header.Kind switch
        {
            EvaluationKind.Classification => ((IEvaluator)ClassificationEvaluator.Start(header), PredictionBatch.PredictionsOneofCase.Classification),
            EvaluationKind.DetectionCoco => (CocoDetectionEvaluator.Start(header), PredictionBatch.PredictionsOneofCase.Coco),
            EvaluationKind.DetectionVoc => (VocDetectionEvaluator.Start(header), PredictionBatch.PredictionsOneofCase.Detection),
            EvaluationKind.Segmentation => (SegmentationEvaluator.Start(header), PredictionBatch.PredictionsOneofCase.Segmentation),
            EvaluationKind.Unspecified => throw DomainException.InvalidArgument("header.kind", "is required (classification, detection_coco, detection_voc or segmentation)"),
            _ => throw DomainException.InvalidArgument("header.kind", $"unknown value {(int)header.Kind}"),
        };
        return new EvaluationSession(header, evaluator, batchCase, limits, time ?? TimeProvider.System);
    }

    /// <summary>Adds one batch; a bad batch fails the session, and nothing is stored.</summary>
    public void Add(PredictionBatch batch)
    {
        if (batch.PredictionsCase != _batchCase)
        {
            throw DomainException.InvalidArgument(
                "batch",
                $"the header's kind is {_header.Kind} but a batch carries {DescribeCase(batch.PredictionsCase)} predictions");
        }

        if (batch.PredictionsCase == PredictionBatch.PredictionsOneofCase.Segmentation)
        {
            CheckMaskSizes(batch.Segmentation);
        }

        var started = _time.GetTimestamp();
        _evaluator.Add(batch);
        _computeTime += _time.GetElapsedTime(started);
        if (_evaluator.SampleCount > _limits.MaxSamples)
        {
            throw DomainException.InvalidArgument(
                "batch",
                $"the stream holds more than {_limits.MaxSamples} samples, the most one evaluation accepts ({EvaluationLimits.SectionName}:MaxSamples); evaluate a subset or split it");
        }
    }

    /// <summary>Computes the metrics. Throws when no prediction was sent.</summary>
    public Evaluation Finish(string id)
    {
        var evaluation = new Evaluation
        {
            Id = id,
            Kind = _header.Kind,
            JobId = _header.JobId,
            ModelVersion = _header.ModelVersion,
            DatasetVersion = _header.DatasetVersion,
            Split = _header.Split,
            Epoch = _header.Epoch,
            PredictionsSha256 = _header.PredictionsSha256,
            GroundTruthFromDataset = _header.GroundTruth is not null,
        };

        var started = _time.GetTimestamp();
        _evaluator.Complete(evaluation);
        _computeTime += _time.GetElapsedTime(started);
        evaluation.CreateTime = Timestamp.FromDateTimeOffset(_time.GetUtcNow());
        evaluation.ComputeDuration = Duration.FromTimeSpan(_computeTime);
        return evaluation;
    }

    /// <summary>The class count and class names, before the evaluator sets memory aside for them.</summary>
    private static void CheckLimits(EvaluationHeader header, EvaluationLimits limits)
    {
        var (field, classes) = header.Kind == EvaluationKind.DetectionCoco && header.Coco is { } coco
            ? ("header.coco.categories", coco.Categories.Count)
            : ("header.class_names", header.ClassNames.Count);
        if (classes > limits.MaxClasses)
        {
            throw DomainException.InvalidArgument(
                field,
                $"{classes} classes; at most {limits.MaxClasses} are accepted ({EvaluationLimits.SectionName}:MaxClasses), as an evaluation stores classes² confusion counts");
        }

        TextLimits.CheckClassNames(header.ClassNames, "header.class_names");
    }

    /// <summary>Each mask's width × height, from the message or the PNG header, before any mask is decoded.</summary>
    private void CheckMaskSizes(SegmentationPredictions predictions)
    {
        for (var i = 0; i < predictions.Samples.Count; i++)
        {
            var sample = predictions.Samples[i];
            foreach (var (mask, name) in new[] { (sample.GroundTruth, "ground_truth"), (sample.Predicted, "predicted") })
            {
                if (mask is null)
                {
                    continue;
                }

                var (width, height) = (mask.Width, mask.Height);
                if (mask.Encoding == ImageEncoding.Png && PngDecoder.IsPng(mask.Data.Span))
                {
                    try
                    {
                        var png = PngDecoder.Decode(mask.Data.Span, decodePixels: false);
                        (width, height) = (png.Width, png.Height);
                    }
                    catch (CorruptImageException)
                    {
                        continue; // reported, naming the field, when the evaluator decodes it
                    }
                }

                if ((long)width * height > _limits.MaxImagePixels)
                {
                    throw DomainException.InvalidArgument(
                        $"segmentation.samples[{i}].{name}",
                        $"the mask is {width}×{height}, {(long)width * height} pixels; at most {_limits.MaxImagePixels} are accepted ({EvaluationLimits.SectionName}:MaxImagePixels)");
                }
            }
        }
    }

    private static string DescribeCase(PredictionBatch.PredictionsOneofCase c) => c switch
    {
        PredictionBatch.PredictionsOneofCase.None => "no",
        _ => c.ToString().ToLowerInvariant(),
    };
}
