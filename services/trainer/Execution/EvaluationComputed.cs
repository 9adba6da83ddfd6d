using Cauchy.V1;

namespace Cauchy.Trainer.Execution;

/// <summary>The current evaluation's last batch was sent; <paramref name="MeanLoss"/> is the trainer's own loss over the split.</summary>
public sealed record EvaluationComputed(Split Split, int Epoch, double MeanLoss, int SampleCount) : TrainingEvent;
