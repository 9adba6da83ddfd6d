using Cauchy.Domain;
using Cauchy.Metrics.Classification;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;

namespace Cauchy.Metrics.Evaluations;

/// <summary>
/// One Evaluate call: validates the header, accumulates the streamed batches of its kind, and produces the
/// <see cref="Evaluation"/> to store. Errors in the caller's input throw an INVALID_ARGUMENT <see cref="DomainException"/> naming the field.
/// </summary>
public sealed class EvaluationSession
{
    private readonly EvaluationHeader _header;
    private readonly ClassificationAccumulator _classification;
    private readonly TimeProvider _time;
    private TimeSpan _computeTime;

    private EvaluationSession(EvaluationHeader header, TimeProvider time)
    {
        this._header = header;
        this._time = time;
        _classification = new ClassificationAccumulator(header.ClassNames.Count, header.Classification?.TopK ?? 0);
    }

    public long SampleCount => _classification.SampleCount;

    /// <summary>Checks the header and starts a session for its kind.</summary>
    /// <exception cref="DomainException">The header is invalid (InvalidArgument), or its kind is valid but not evaluated
    /// by this version (Unimplemented, so callers can tell it from their mistakes).</exception>
    public static EvaluationSession Start(EvaluationHeader header, TimeProvider? time = null)
    {
        switch (header.Kind)
        {
            case EvaluationKind.Classification:
                break;
            case EvaluationKind.DetectionCoco or EvaluationKind.DetectionVoc or EvaluationKind.Segmentation:
                throw new DomainException(DomainErrorKind.Unimplemented,
                    $"{header.Kind} evaluation is not built yet; this version of the metrics service evaluates classification only");
            case EvaluationKind.Unspecified:
                throw DomainException.InvalidArgument("header.kind", "is required (classification, detection_coco, detection_voc or segmentation)");
            default:
                throw DomainException.InvalidArgument("header.kind", $"unknown value {(int)header.Kind}");
        }

        if (header.ClassNames.Count == 0)
        {
            throw DomainException.InvalidArgument("header.class_names", "at least one class name is required; their number is the number of classes");
        }

        for (var i = 0; i < header.ClassNames.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(header.ClassNames[i]))
            {
                throw DomainException.InvalidArgument($"header.class_names[{i}]", "is empty");
            }
        }

        if (header.Epoch < 0)
        {
            throw DomainException.InvalidArgument("header.epoch", $"must not be negative, got {header.Epoch}");
        }

        if (header.ModelVersion is { } model && (model.Version < 0 || (model.Version > 0 && model.ModelName.Length == 0)))
        {
            throw DomainException.InvalidArgument("header.model_version", "needs a model name and a version ≥ 1");
        }

        return new EvaluationSession(header.Clone(), time ?? TimeProvider.System);
    }

    /// <summary>Adds one batch; a bad batch changes nothing.</summary>
    public void Add(PredictionBatch batch)
    {
        if (batch.PredictionsCase != PredictionBatch.PredictionsOneofCase.Classification)
        {
            throw DomainException.InvalidArgument(
                "batch",
                $"the header's kind is {_header.Kind} but a batch carries {DescribeCase(batch.PredictionsCase)} predictions");
        }

        var predictions = batch.Classification;
        if (predictions.SampleIds.Count != 0 && predictions.SampleIds.Count != predictions.Labels.Count)
        {
            throw DomainException.InvalidArgument(
                "classification.sample_ids",
                $"{predictions.SampleIds.Count} sample ids for {predictions.Labels.Count} labels; send one per sample or none");
        }

        var started = _time.GetTimestamp();
        _classification.Add(AsSpan(predictions.Scores), AsSpan(predictions.Labels));
        _computeTime += _time.GetElapsedTime(started);
    }

    /// <summary>Computes the metrics. Throws when no prediction was sent.</summary>
    public Evaluation Finish(string id)
    {
        if (_classification.SampleCount == 0)
        {
            throw DomainException.InvalidArgument("batch", "no prediction was sent; stream at least one batch after the header");
        }

        var started = _time.GetTimestamp();
        var report = _classification.Compute();
        _computeTime += _time.GetElapsedTime(started);

        var evaluation = new Evaluation
        {
            Id = id,
            Kind = _header.Kind,
            JobId = _header.JobId,
            ModelVersion = _header.ModelVersion,
            DatasetVersion = _header.DatasetVersion,
            Split = _header.Split,
            Epoch = _header.Epoch,
            SampleCount = report.SampleCount,
            CreateTime = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
            ComputeDuration = Duration.FromTimeSpan(_computeTime),
            Classification = ToProto(report, _header),
        };
        evaluation.ClassNames.AddRange(_header.ClassNames);
        evaluation.Summary.Add("accuracy", report.Top1Accuracy);
        evaluation.Summary.Add("top5_accuracy", report.Top5Accuracy);
        evaluation.Summary.Add("macro_f1", report.MacroAverage.F1);
        evaluation.Summary.Add("weighted_f1", report.WeightedAverage.F1);
        if (report.TopK > 0)
        {
            evaluation.Summary[$"top{report.TopK}_accuracy"] = report.TopKAccuracy; // top_k 5 is top5_accuracy again
        }

        return evaluation;
    }

    private static ClassificationResult ToProto(ClassificationReport report, EvaluationHeader header)
    {
        var result = new ClassificationResult
        {
            Top1Accuracy = report.Top1Accuracy,
            Top5Accuracy = report.Top5Accuracy,
            TopK = report.TopK,
            TopKAccuracy = report.TopKAccuracy,
            NumClasses = report.NumClasses,
            MacroAverage = ToProto(report.MacroAverage),
            WeightedAverage = ToProto(report.WeightedAverage),
        };
        result.PerClass.AddRange(report.PerClass.Select(c => new ClassClassificationMetrics
        {
            ClassId = c.ClassId,
            ClassName = header.ClassNames[c.ClassId],
            Precision = c.Precision,
            Recall = c.Recall,
            F1 = c.F1,
            Support = c.Support,
        }));
        result.ConfusionMatrix.AddRange(report.ConfusionMatrix);
        return result;
    }

    private static AveragedClassificationMetrics ToProto(AveragedScores scores) =>
        new() { Precision = scores.Precision, Recall = scores.Recall, F1 = scores.F1 };

    private static string DescribeCase(PredictionBatch.PredictionsOneofCase c) => c switch
    {
        PredictionBatch.PredictionsOneofCase.None => "no",
        PredictionBatch.PredictionsOneofCase.Detection => "detection",
        PredictionBatch.PredictionsOneofCase.Segmentation => "segmentation",
        _ => c.ToString().ToLowerInvariant(),
    };

    private static ReadOnlySpan<T> AsSpan<T>(Google.Protobuf.Collections.RepeatedField<T> field) =>
        field.Count == 0 ? [] : field.ToArray();
}
