namespace Cauchy.Domain.Architectures;

/// <summary>
/// One convolution or pooling layer that changes the side of its input, as PyTorch computes it:
/// <c>out = floor((in + 2·padding − kernel) / stride) + 1</c>, defined only while <c>in + 2·padding ≥ kernel</c>.
/// </summary>
public sealed record SpatialReduction(int Kernel, int Stride, int Padding)
{
    /// <summary>The output side for an input side of <paramref name="side"/>; 0 when the layer has no output.</summary>
    public int Apply(int side) => side + 2 * Padding < Kernel ? 0 : (side + 2 * Padding - Kernel) / Stride + 1;
}
