// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>max(x, 0); with <paramref name="inplace"/> written into the input and returning it, as PyTorch's ReLU(inplace=True).</summary>
    public sealed class ReLU(bool inplace = false) : Module<Tensor, Tensor>
    {
        public bool inplace { get; } = inplace;

        public override Tensor forward(Tensor input) => inplace ? functional.relu_(input) : functional.relu(input);
    }
}
