// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>Averages into a fixed output_size whatever the input's height and width ((1, 1): global average pooling).</summary>
    public sealed class AdaptiveAvgPool2d((long h, long w) output_size) : Module<Tensor, Tensor>
    {
        public AdaptiveAvgPool2d(long output_size)
            : this((output_size, output_size))
        {
        }

        public (long h, long w) output_size { get; } = output_size;

        public override Tensor forward(Tensor input) => functional.adaptive_avg_pool2d(input, output_size);
    }
}
