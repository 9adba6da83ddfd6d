// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>The module form of <see cref="functional.mse_loss"/>.</summary>
    public sealed class MSELoss(Reduction reduction = Reduction.Mean) : Module<Tensor, Tensor, Tensor>
    {
        public Reduction reduction { get; } = reduction;

        public override Tensor forward(Tensor input, Tensor target) => functional.mse_loss(input, target, reduction);
    }
}
