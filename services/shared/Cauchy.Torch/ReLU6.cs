// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>min(max(x, 0), 6) (MobileNetV2's activation).</summary>
    public sealed class ReLU6 : Module<Tensor, Tensor>
    {
        public override Tensor forward(Tensor input) => functional.relu6(input);
    }
}
