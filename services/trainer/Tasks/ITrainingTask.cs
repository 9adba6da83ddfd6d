using Cauchy.Torch;
using Cauchy.Torch.Data;
using Cauchy.Trainer.Inputs;
using Cauchy.V1;

namespace Cauchy.Trainer.Tasks;

/// <summary>
/// What one kind of job (classification, detection, segmentation) brings to the training pipeline: how a stored
/// sample becomes a batch element, the loss the optimizer minimises, how the model's outputs become predictions for
/// the metrics service, and which metric names an evaluation yields. The pipeline (data, epochs, checkpoints, leases,
/// registration) is the same for every task; <see cref="TrainingTasks"/> picks the component by the job's task name.
/// </summary>
public interface ITrainingTask
{
    /// <summary>The task's name as hypes write it (<c>classification</c>); the registry's key.</summary>
    string Name { get; }

    /// <summary>What the metrics service is asked to evaluate.</summary>
    EvaluationKind EvaluationKind { get; }

    /// <summary>The metrics an evaluation yields, without the split: <c>loss</c>, <c>accuracy</c>, ... A job files them as <c>&lt;split&gt;/&lt;name&gt;</c>.</summary>
    IReadOnlyList<string> MetricNames { get; }

    /// <summary>The sample's pixels and target as one batch element (runs on the loader's workers).</summary>
    ImageSample ToBatchElement(Sample sample, InputFormat format);

    /// <summary>The training loss, mean over the batch; disposed when training ends.</summary>
    nn.Module<Tensor, Tensor, Tensor> CreateLoss(Hyperparameters hyperparameters);

    /// <summary>The task's options in the evaluation header (top-k, IoU thresholds, ...).</summary>
    void DescribeEvaluation(EvaluationHeader header, IReadOnlyList<string> classNames);

    /// <summary>
    /// One evaluation batch: the outputs (on the CPU) and the batch's targets as predictions with their ground truth,
    /// and the batch's summed loss.
    /// </summary>
    (PredictionBatch Predictions, double LossSum) Predictions(Tensor outputs, Batch batch, IReadOnlyList<string> sampleIds);

    /// <summary>The evaluation's numbers by <see cref="MetricNames"/>; <paramref name="meanLoss"/> is the trainer's own.</summary>
    IReadOnlyDictionary<string, double> Metrics(Evaluation evaluation, double meanLoss);
}
