// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>Maximum over kernel_size windows; stride defaults to kernel_size, as in PyTorch.</summary>
    public sealed class MaxPool2d : Module<Tensor, Tensor>
    {
        public MaxPool2d((long h, long w) kernel_size, (long h, long w)? stride = null, (long h, long w)? padding = null, (long h, long w)? dilation = null, bool ceil_mode = false)
        {
            this.kernel_size = kernel_size;
            this.stride = stride ?? kernel_size;
            this.padding = padding ?? (0, 0);
            this.dilation = dilation ?? (1, 1);
            this.ceil_mode = ceil_mode;
        }

        public MaxPool2d(long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false)
            : this((kernel_size, kernel_size), (stride ?? kernel_size, stride ?? kernel_size), (padding, padding), (dilation, dilation), ceil_mode)
        {
        }

        public (long h, long w) kernel_size { get; }

        public (long h, long w) stride { get; }

        public (long h, long w) padding { get; }

        public (long h, long w) dilation { get; }

        public bool ceil_mode { get; }

        public override Tensor forward(Tensor input) => functional.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode);
    }
}
