namespace Cauchy.Torch.Data;

/// <summary>
/// What the loader does to each training image, in torchvision's order: RandomCrop(size = input size,
/// padding = <see cref="CropPadding"/>, zero fill), RandomHorizontalFlip(0.5), ToTensor (÷255), Normalize.
/// </summary>
public sealed record Augmentation
{
    /// <summary>Zero padding on every side before a random crop back to the input size; 0 disables the crop.</summary>
    public int CropPadding { get; init; }

    /// <summary>Mirror left-right with probability 0.5.</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>Per-channel mean subtracted after scaling to [0, 1]; null leaves values unnormalised.</summary>
    public float[]? Mean { get; init; }

    /// <summary>Per-channel standard deviation divided by after the mean; required with <see cref="Mean"/>.</summary>
    public float[]? Std { get; init; }

    /// <summary>No randomness, only scaling and normalisation: what evaluation uses.</summary>
    public Augmentation WithoutRandomness() => this with { CropPadding = 0, HorizontalFlip = false };
}
