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
    private readonly TimeProvider _time;
    private TimeSpan _computeTime;

    private EvaluationSession(EvaluationHeader header, IEvaluator evaluator, PredictionBatch.PredictionsOneofCase batchCase, TimeProvider time)
    {
        _header = header;
        _evaluator = evaluator;
        _batchCase = batchCase;
        _time = time;
    }

    public long SampleCount => _evaluator.SampleCount;

    /// <summary>Checks the header and starts a session for its kind.</summary>
    /// <exception cref="DomainException">The header is invalid (InvalidArgument).</exception>
    public static EvaluationSession Start(EvaluationHeader header, TimeProvider? time = null)
    {
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
        return new EvaluationSession(header, evaluator, batchCase, time ?? TimeProvider.System);
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

        var started = _time.GetTimestamp();
        _evaluator.Add(batch);
        _computeTime += _time.GetElapsedTime(started);
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

    private static string DescribeCase(PredictionBatch.PredictionsOneofCase c) => c switch
    {
        PredictionBatch.PredictionsOneofCase.None => "no",
        _ => c.ToString().ToLowerInvariant(),
    };
}
