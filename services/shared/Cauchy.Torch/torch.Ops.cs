// PyTorch's module name is the point: `torch.cat(...)` reads as it does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class torch
{
    /// <summary>Concatenates tensors along an existing dimension.</summary>
    public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0) =>
        Tensor.CallList(NativeMethods.cauchy_tensor_cat, tensors, dim);

    /// <summary>Stacks same-shaped tensors along a new dimension.</summary>
    public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0) =>
        Tensor.CallList(NativeMethods.cauchy_tensor_stack, tensors, dim);

    public static Tensor flatten(Tensor input, long start_dim = 0, long end_dim = -1)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.flatten(start_dim, end_dim);
    }

    public static Tensor softmax(Tensor input, long dim)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.softmax(dim);
    }

    public static Tensor log_softmax(Tensor input, long dim)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.log_softmax(dim);
    }

    public static Tensor sigmoid(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.sigmoid();
    }

    public static bool equal(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.equal(b);
    }
}
