// PyTorch's module name is the point: `new nn.Conv2d(1, 32, 3)`, `nn.functional.relu(x)` read as they do in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

/// <summary>
/// Neural-network building blocks named as PyTorch's <c>torch.nn</c>: <see cref="Module"/>, the layers, the losses,
/// <see cref="functional"/> and <see cref="init"/>. A static class (not a namespace) so that <c>using Cauchy.Torch;</c>
/// is enough to write <c>nn.Conv2d</c>.
/// </summary>
public static partial class nn
{
    // Optional tensors cross the C ABI as NULL.
    internal static TensorHandle HandleOrNull(Tensor? tensor) => tensor?.Handle ?? TensorHandle.Null;

    internal static Tensor Wrap(int status, TensorHandle result)
    {
        NativeMethods.Check(status);
        return new Tensor(result);
    }

    internal static long[] Pair(long value) => [value, value];

    internal static long[] Pair((long h, long w) value) => [value.h, value.w];
}
