// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>max(x, 0).</summary>
    public sealed class ReLU : Module<Tensor, Tensor>
    {
        public override Tensor forward(Tensor input) => functional.relu(input);
    }
}
