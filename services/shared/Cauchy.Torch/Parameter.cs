// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>
    /// A tensor a module learns (PyTorch's <c>nn.Parameter</c>): it aliases the data it was made from, requires
    /// grad by default, and belongs to its module rather than to any dispose scope — the module disposes it.
    /// </summary>
    public sealed class Parameter : Tensor
    {
        public Parameter(Tensor data, bool requires_grad = true)
            : base(Alias(data), joinDisposeScope: false)
        {
            this.requires_grad = requires_grad;
        }

        private static TensorHandle Alias(Tensor data)
        {
            ArgumentNullException.ThrowIfNull(data);

            // detach: a new handle to the same storage that is a leaf of the autograd graph, as PyTorch's Parameter.
            NativeMethods.Check(NativeMethods.cauchy_tensor_detach(data.Handle, out TensorHandle alias));
            return alias;
        }
    }
}
