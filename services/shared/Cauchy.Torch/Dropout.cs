// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>In training, zeroes each element with probability p (from the global generator) and scales the rest by 1/(1-p); identity in eval.</summary>
    public sealed class Dropout : Module<Tensor, Tensor>
    {
        public Dropout(double p = 0.5)
        {
            if (p < 0 || p > 1)
            {
                throw new ArgumentOutOfRangeException(nameof(p), p, $"dropout probability has to be between 0 and 1, but got {p}");
            }

            this.p = p;
        }

        public double p { get; }

        public override Tensor forward(Tensor input) => functional.dropout(input, p, training);
    }
}
