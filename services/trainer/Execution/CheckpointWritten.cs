using Cauchy.Torch.Data;

namespace Cauchy.Trainer.Execution;

/// <summary>A checkpoint the training thread wrote to <paramref name="Path"/> (a file of its own, deleted once stored).</summary>
public sealed record CheckpointWritten(string Path, long Step, LoaderPosition Position, bool EndOfEpoch) : TrainingEvent;
