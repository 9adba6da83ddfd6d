// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>Merges dimensions start_dim..end_dim (by default all but the batch dimension).</summary>
    public sealed class Flatten(long start_dim = 1, long end_dim = -1) : Module<Tensor, Tensor>
    {
        public long start_dim { get; } = start_dim;

        public long end_dim { get; } = end_dim;

        public override Tensor forward(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            return input.flatten(start_dim, end_dim);
        }
    }
}
