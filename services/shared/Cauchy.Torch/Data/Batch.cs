namespace Cauchy.Torch.Data;

/// <summary>
/// One batch: images [B, C, H, W] float32 and labels [B] int64. The tensors were made on a worker thread, outside
/// any dispose scope: dispose the batch (e.g. <c>using var batch</c>) when the step is done.
/// </summary>
public sealed class Batch : IDisposable
{
    internal Batch(Tensor images, Tensor labels, int epoch, int index)
    {
        this.images = images;
        this.labels = labels;
        Epoch = epoch;
        Index = index;
    }

    public Tensor images { get; }

    public Tensor labels { get; }

    public int Epoch { get; }

    /// <summary>The batch's index within its epoch.</summary>
    public int Index { get; }

    /// <summary>The position to resume from after this batch has been trained on.</summary>
    public LoaderPosition Next => new(Epoch, Index + 1);

    public void Dispose()
    {
        images.Dispose();
        labels.Dispose();
    }
}
