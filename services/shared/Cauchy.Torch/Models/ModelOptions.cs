namespace Cauchy.Torch.Models;

/// <summary>What a job's hypes say about the network it trains; every architecture reads the fields it supports.</summary>
public sealed record ModelOptions
{
    /// <summary>Size of the classifier's output.</summary>
    public int NumClasses { get; init; } = 1000;

    /// <summary>Channels of the input images (1 for Fashion-MNIST, 3 for RGB).</summary>
    public int InChannels { get; init; } = 3;

    /// <summary>
    /// ResNet only: a 3×3 stride-1 first convolution and no max-pool, for 28–32 px images (CIFAR-style), instead
    /// of ImageNet's 7×7 stride-2 convolution and max-pool that shrink such images to almost nothing.
    /// </summary>
    public bool SmallImageStem { get; init; }

    /// <summary>Dropout before the classifier; null keeps the architecture's default (VGG 0.5, MobileNetV2 0.2, small CNN 0.25).</summary>
    public double? Dropout { get; init; }
}
