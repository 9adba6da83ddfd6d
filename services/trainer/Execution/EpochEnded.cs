namespace Cauchy.Trainer.Execution;

/// <summary>
/// An epoch ended (or training stopped at max_steps inside one): its training loss and accuracy, and whether an
/// evaluation of the epoch precedes this event.
/// </summary>
public sealed record EpochEnded(int Epoch, long Step, double TrainLoss, double TrainAccuracy, bool Evaluated, long? GpuMemoryBytes) : TrainingEvent;
