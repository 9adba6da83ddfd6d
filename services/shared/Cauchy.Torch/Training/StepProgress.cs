namespace Cauchy.Torch.Training;

/// <summary>
/// What a caller (the trainer service) reports after a step: the step's loss, the throughput since the previous
/// report, and the learning rate the step used.
/// </summary>
/// <param name="Step">Optimizer steps taken so far in the run (1 after the first step).</param>
/// <param name="Epoch">The epoch of the step's batch.</param>
/// <param name="Batch">The batch's index within its epoch.</param>
public sealed record StepProgress(long Step, int Epoch, int Batch, double Loss, double SamplesPerSecond, double LearningRate);
