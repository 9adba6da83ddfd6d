// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>The module form of <see cref="functional.smooth_l1_loss"/>.</summary>
    public sealed class SmoothL1Loss(Reduction reduction = Reduction.Mean, double beta = 1.0) : Module<Tensor, Tensor, Tensor>
    {
        public Reduction reduction { get; } = reduction;

        public double beta { get; } = beta;

        public override Tensor forward(Tensor input, Tensor target) => functional.smooth_l1_loss(input, target, reduction, beta);
    }
}
