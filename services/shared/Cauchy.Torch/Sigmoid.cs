// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>1 / (1 + exp(-x)).</summary>
    public sealed class Sigmoid : Module<Tensor, Tensor>
    {
        public override Tensor forward(Tensor input) => functional.sigmoid(input);
    }
}
