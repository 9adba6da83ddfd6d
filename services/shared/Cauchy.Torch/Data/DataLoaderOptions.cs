namespace Cauchy.Torch.Data;

/// <summary>How a <see cref="DataLoader{TSample}"/> batches, orders and prepares samples.</summary>
public sealed record DataLoaderOptions
{
    public int BatchSize { get; init; } = 64;

    /// <summary>Shuffle every epoch; the order depends only on (Seed, epoch), so a resumed run sees the same order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Drop the last, smaller batch of an epoch.</summary>
    public bool DropLast { get; init; }

    public long Seed { get; init; }

    /// <summary>Threads preparing batches in parallel (decode, augment, collate).</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Batches prepared ahead of the consumer; bounds the memory the pipeline holds.</summary>
    public int Prefetch { get; init; } = 4;

    /// <summary>For streamed sources: the shuffle buffer (a larger buffer mixes better, holds more samples).</summary>
    public int ShuffleBuffer { get; init; } = 4096;

    public Augmentation Augmentation { get; init; } = new();
}
