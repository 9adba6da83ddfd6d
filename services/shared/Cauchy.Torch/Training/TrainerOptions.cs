namespace Cauchy.Torch.Training;

/// <summary>How a <see cref="Trainer"/> steps its schedule, reports progress and writes checkpoints.</summary>
public sealed record TrainerOptions
{
    public ScheduleInterval ScheduleInterval { get; init; } = ScheduleInterval.Epoch;

    /// <summary>Raise <see cref="Trainer.StepCompleted"/> every this many steps (1: every step).</summary>
    public int ProgressEvery { get; init; } = 10;

    /// <summary>Write a checkpoint every this many optimizer steps; 0 turns step checkpoints off.</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>Write a checkpoint at the end of every epoch.</summary>
    public bool CheckpointEachEpoch { get; init; }

    /// <summary>Where checkpoints go; each one replaces the last atomically (written beside it, then renamed).</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>The device the model lives on; batches are moved there. Null: the CPU.</summary>
    public Device? Device { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ProgressEvery, 1, nameof(ProgressEvery));
        ArgumentOutOfRangeException.ThrowIfNegative(CheckpointEvery, nameof(CheckpointEvery));
        if ((CheckpointEvery > 0 || CheckpointEachEpoch) && string.IsNullOrWhiteSpace(CheckpointPath))
        {
            throw new ArgumentException("CheckpointPath is required when CheckpointEvery or CheckpointEachEpoch is set", nameof(CheckpointPath));
        }
    }
}
