using Cauchy.V1;

namespace Cauchy.Trainer.Execution;

/// <summary>One batch of the current evaluation's predictions with their ground truth.</summary>
public sealed record PredictionsComputed(PredictionBatch Batch) : TrainingEvent;
