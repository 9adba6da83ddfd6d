namespace Cauchy.Torch.Data;

/// <summary>Where a run stands in its data: the epoch and the index of the next batch within it (saved in checkpoints).</summary>
public sealed record LoaderPosition(int Epoch, int Batch);
