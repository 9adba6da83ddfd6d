// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>Passes its input through unchanged (a placeholder where an architecture variant drops a layer).</summary>
    public sealed class Identity : Module<Tensor, Tensor>
    {
        // A new handle, not the argument itself: the caller may dispose input and output independently.
        public override Tensor forward(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            return input.NewHandle();
        }
    }
}
