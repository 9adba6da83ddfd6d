namespace Cauchy.Torch.Training;

/// <summary>
/// An epoch's (or an evaluation's) sample-weighted mean loss and top-1/top-5 accuracy. A training epoch cut short by
/// a step limit has <see cref="Completed"/> false and covers the batches trained so far in that epoch, including
/// those before a resume. <see cref="Steps"/> and <see cref="Elapsed"/> count this call only.
/// </summary>
public sealed record EpochMetrics(int Epoch, double Loss, double Top1, double Top5, long Samples, int Steps, TimeSpan Elapsed, bool Completed)
{
    /// <summary>Of <see cref="Elapsed"/>, the time the training thread waited for the loader's next batch.</summary>
    public TimeSpan DataWait { get; init; }
}
