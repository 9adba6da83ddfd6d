using Cauchy.Torch;
using Cauchy.Torch.Data;
using Cauchy.Trainer.Inputs;
using Cauchy.V1;

namespace Cauchy.Trainer.Tasks;

/// <summary>Image classification: one class id per image, cross-entropy (with the spec's label smoothing), top-1 and top-5 accuracy.</summary>
public sealed class ClassificationTask : ITrainingTask
{
    public string Name => "classification";

    public EvaluationKind EvaluationKind => EvaluationKind.Classification;

    public IReadOnlyList<string> MetricNames { get; } = ["loss", "accuracy", "top5_accuracy"];

    public ImageSample ToBatchElement(Sample sample, InputFormat format) => format.ToImage(sample);

    public nn.Module<Tensor, Tensor, Tensor> CreateLoss(Hyperparameters hyperparameters) =>
        new nn.CrossEntropyLoss(label_smoothing: hyperparameters.LabelSmoothing);

    public void DescribeEvaluation(EvaluationHeader header, IReadOnlyList<string> classNames) =>
        header.Classification = new ClassificationOptions { TopK = Math.Min(5, classNames.Count) };

    public (PredictionBatch Predictions, double LossSum) Predictions(Tensor outputs, Batch batch, IReadOnlyList<string> sampleIds)
    {
        double lossSum = nn.functional.cross_entropy(outputs, batch.labels, reduction: nn.Reduction.Sum).item<float>();
        var predictions = new ClassificationPredictions();
        predictions.Scores.AddRange(outputs.ToArray<float>());
        predictions.Labels.AddRange(batch.labels.ToArray<long>().Select(l => (int)l));
        predictions.SampleIds.AddRange(sampleIds);
        return (new PredictionBatch { Classification = predictions }, lossSum);
    }

    public IReadOnlyDictionary<string, double> Metrics(Evaluation evaluation, double meanLoss) => new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["loss"] = meanLoss,
        ["accuracy"] = evaluation.Classification.Top1Accuracy,
        ["top5_accuracy"] = evaluation.Classification.Top5Accuracy,
    };
}
