// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>x for x ≥ 0, negative_slope · x below.</summary>
    public sealed class LeakyReLU(double negative_slope = 0.01) : Module<Tensor, Tensor>
    {
        public double negative_slope { get; } = negative_slope;

        public override Tensor forward(Tensor input) => functional.leaky_relu(input, negative_slope);
    }
}
