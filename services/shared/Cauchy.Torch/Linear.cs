// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>y = x Wᵀ + b. Default initialisation as PyTorch's: kaiming_uniform_(a = sqrt(5)), bias uniform(±1/sqrt(in_features)).</summary>
    public sealed class Linear : Module<Tensor, Tensor>
    {
        public Linear(long in_features, long out_features, bool bias = true)
        {
            if (in_features < 0 || out_features < 0)
            {
                throw new ArgumentException($"Linear needs non-negative sizes, got in_features={in_features}, out_features={out_features}");
            }

            this.in_features = in_features;
            this.out_features = out_features;
            using (Tensor w = torch.zeros([out_features, in_features]))
            {
                weight = new Parameter(w);
            }

            register_parameter("weight", weight);
            if (bias)
            {
                using Tensor b = torch.zeros([out_features]);
                this.bias = new Parameter(b);
            }

            register_parameter("bias", this.bias);
            reset_parameters();
        }

        public Parameter weight { get; }

        public Parameter? bias { get; }

        public long in_features { get; }

        public long out_features { get; }

        public void reset_parameters()
        {
            init.kaiming_uniform_(weight, a: Math.Sqrt(5));
            if (bias is not null)
            {
                (long fanIn, _) = init.calculate_fan_in_and_fan_out(weight);
                double bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
                init.uniform_(bias, -bound, bound);
            }
        }

        public override Tensor forward(Tensor input) => functional.linear(input, weight, bias);
    }
}
