// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>
    /// 2-D convolution over (N, C, H, W). Weight (out_channels, in_channels / groups, kH, kW); default
    /// initialisation as PyTorch's: kaiming_uniform_(a = sqrt(5)), bias uniform(±1/sqrt(fan_in)).
    /// </summary>
    public sealed class Conv2d : Module<Tensor, Tensor>
    {
        public Conv2d(
            long in_channels,
            long out_channels,
            (long h, long w) kernel_size,
            (long h, long w)? stride = null,
            (long h, long w)? padding = null,
            (long h, long w)? dilation = null,
            long groups = 1,
            bool bias = true)
        {
            if (in_channels <= 0 || out_channels <= 0)
            {
                throw new ArgumentException($"Conv2d needs positive channel counts, got in_channels={in_channels}, out_channels={out_channels}");
            }

            if (groups <= 0)
            {
                throw new ArgumentException("groups must be a positive integer", nameof(groups));
            }

            if (in_channels % groups != 0)
            {
                throw new ArgumentException("in_channels must be divisible by groups", nameof(in_channels));
            }

            if (out_channels % groups != 0)
            {
                throw new ArgumentException("out_channels must be divisible by groups", nameof(out_channels));
            }

            this.in_channels = in_channels;
            this.out_channels = out_channels;
            this.kernel_size = kernel_size;
            this.stride = stride ?? (1, 1);
            this.padding = padding ?? (0, 0);
            this.dilation = dilation ?? (1, 1);
            this.groups = groups;

            using (Tensor w = torch.zeros([out_channels, in_channels / groups, kernel_size.h, kernel_size.w]))
            {
                weight = new Parameter(w);
            }

            register_parameter("weight", weight);
            if (bias)
            {
                using Tensor b = torch.zeros([out_channels]);
                this.bias = new Parameter(b);
            }

            register_parameter("bias", this.bias);
            reset_parameters();
        }

        public Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1, long groups = 1, bool bias = true)
            : this(in_channels, out_channels, (kernel_size, kernel_size), (stride, stride), (padding, padding), (dilation, dilation), groups, bias)
        {
        }

        public Parameter weight { get; }

        public Parameter? bias { get; }

        public long in_channels { get; }

        public long out_channels { get; }

        public (long h, long w) kernel_size { get; }

        public (long h, long w) stride { get; }

        public (long h, long w) padding { get; }

        public (long h, long w) dilation { get; }

        public long groups { get; }

        /// <summary>PyTorch's _ConvNd.reset_parameters, drawing from the global generator in the same order.</summary>
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

        public override Tensor forward(Tensor input) => functional.conv2d(input, weight, bias, stride, padding, dilation, groups);
    }
}
