using Cauchy.Torch.Data;

namespace Cauchy.Torch.Training;

/// <summary>A checkpoint the trainer has just written (the caller may copy it to object storage).</summary>
public sealed record CheckpointSaved(string Path, long Step, LoaderPosition Position, bool EndOfEpoch);
