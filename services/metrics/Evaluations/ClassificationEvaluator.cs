using Cauchy.Domain;
using Cauchy.Metrics.Classification;
using Cauchy.V1;

namespace Cauchy.Metrics.Evaluations;

/// <summary>Top-k accuracy, per-class scores and the confusion matrix of classification predictions.</summary>
public sealed class ClassificationEvaluator : IEvaluator
{
    private readonly EvaluationHeader _header;
    private readonly ClassificationAccumulator _accumulator;

    private ClassificationEvaluator(EvaluationHeader header)
    {
        _header = header;
        _accumulator = new ClassificationAccumulator(header.ClassNames.Count, header.Classification?.TopK ?? 0);
    }

    public long SampleCount => _accumulator.SampleCount;

    /// <summary>Checks the header's classes and starts the evaluation.</summary>
    public static ClassificationEvaluator Start(EvaluationHeader header)
    {
        ClassNames.Check(header);
        return new ClassificationEvaluator(header);
    }

    public void Add(PredictionBatch batch)
    {
        var predictions = batch.Classification;
        if (predictions.SampleIds.Count != 0 && predictions.SampleIds.Count != predictions.Labels.Count)
        {
            throw DomainException.InvalidArgument(
                "classification.sample_ids",
                $"{predictions.SampleIds.Count} sample ids for {predictions.Labels.Count} labels; send one per sample or none");
        }

        _accumulator.Add(AsSpan(predictions.Scores), AsSpan(predictions.Labels));
    }

    public void Complete(Evaluation evaluation)
    {
        if (_accumulator.SampleCount == 0)
        {
            throw DomainException.InvalidArgument("batch", "no prediction was sent; stream at least one batch after the header");
        }

        var report = _accumulator.Compute();
        evaluation.SampleCount = report.SampleCount;
        evaluation.Classification = ToProto(report, _header);
        evaluation.ClassNames.AddRange(_header.ClassNames);
        evaluation.Summary.Add("accuracy", report.Top1Accuracy);
        evaluation.Summary.Add("top5_accuracy", report.Top5Accuracy);
        evaluation.Summary.Add("macro_f1", report.MacroAverage.F1);
        evaluation.Summary.Add("weighted_f1", report.WeightedAverage.F1);
        if (report.TopK > 0)
        {
            evaluation.Summary[$"top{report.TopK}_accuracy"] = report.TopKAccuracy; // top_k 5 is top5_accuracy again
        }
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

    private static ReadOnlySpan<T> AsSpan<T>(Google.Protobuf.Collections.RepeatedField<T> field) =>
        field.Count == 0 ? [] : field.ToArray();
}
