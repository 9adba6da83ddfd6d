namespace Cauchy.Torch.Training;

/// <summary>When the trainer advances the learning-rate schedule.</summary>
public enum ScheduleInterval
{
    /// <summary>Once at the end of every epoch (PyTorch's usual <c>scheduler.step()</c> after the epoch loop).</summary>
    Epoch,

    /// <summary>After every optimizer step (warm-up and cosine schedules counted in steps).</summary>
    Step,
}
