// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>Average over kernel_size windows; stride defaults to kernel_size, padding counts unless count_include_pad is false.</summary>
    public sealed class AvgPool2d : Module<Tensor, Tensor>
    {
        public AvgPool2d((long h, long w) kernel_size, (long h, long w)? stride = null, (long h, long w)? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null)
        {
            this.kernel_size = kernel_size;
            this.stride = stride ?? kernel_size;
            this.padding = padding ?? (0, 0);
            this.ceil_mode = ceil_mode;
            this.count_include_pad = count_include_pad;
            this.divisor_override = divisor_override;
        }

        public AvgPool2d(long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null)
            : this((kernel_size, kernel_size), (stride ?? kernel_size, stride ?? kernel_size), (padding, padding), ceil_mode, count_include_pad, divisor_override)
        {
        }

        public (long h, long w) kernel_size { get; }

        public (long h, long w) stride { get; }

        public (long h, long w) padding { get; }

        public bool ceil_mode { get; }

        public bool count_include_pad { get; }

        public long? divisor_override { get; }

        public override Tensor forward(Tensor input) =>
            functional.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override);
    }
}
