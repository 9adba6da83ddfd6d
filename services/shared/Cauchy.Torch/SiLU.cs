// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>x * sigmoid(x) (swish).</summary>
    public sealed class SiLU : Module<Tensor, Tensor>
    {
        public override Tensor forward(Tensor input) => functional.silu(input);
    }
}
