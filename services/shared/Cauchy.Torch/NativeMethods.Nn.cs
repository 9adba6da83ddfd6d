using System.Runtime.InteropServices;

namespace Cauchy.Torch;

// The P/Invoke surface of native/nn.h. Optional tensors are passed as TensorHandle.Null (a NULL pointer);
// (height, width) pairs as two-element arrays.
internal static partial class NativeMethods
{
    [LibraryImport(Library)]
    internal static partial int cauchy_nn_conv2d(TensorHandle input, TensorHandle weight, TensorHandle bias, long[] stride, long[] padding, long[] dilation, long groups, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_nn_linear(TensorHandle input, TensorHandle weight, TensorHandle bias, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_nn_batch_norm(
        TensorHandle input,
        TensorHandle weight,
        TensorHandle bias,
        TensorHandle runningMean,
        TensorHandle runningVar,
        TensorHandle numBatchesTracked,
        int training,
        int hasMomentum,
        double momentum,
        double eps,
        out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_nn_activation(TensorHandle input, int kind, double param, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_nn_activation_(TensorHandle input, int kind, double param);

    [LibraryImport(Library)]
    internal static partial int cauchy_nn_max_pool2d(TensorHandle input, long[] kernel, long[] stride, long[] padding, long[] dilation, int ceilMode, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_nn_avg_pool2d(TensorHandle input, long[] kernel, long[] stride, long[] padding, int ceilMode, int countIncludePad, long divisorOverride, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_nn_adaptive_avg_pool2d(TensorHandle input, long[] outputSize, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_nn_dropout(TensorHandle input, double p, int training, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_nn_interpolate(TensorHandle input, int mode, long[]? size, double[]? scale, int alignCorners, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_nn_cross_entropy(TensorHandle input, TensorHandle target, TensorHandle weight, int reduction, long ignoreIndex, double labelSmoothing, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_nn_binary_cross_entropy_with_logits(TensorHandle input, TensorHandle target, TensorHandle weight, TensorHandle posWeight, int reduction, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_nn_smooth_l1_loss(TensorHandle input, TensorHandle target, int reduction, double beta, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_nn_mse_loss(TensorHandle input, TensorHandle target, int reduction, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_nn_init_uniform_(TensorHandle tensor, double low, double high);

    [LibraryImport(Library)]
    internal static partial int cauchy_nn_init_normal_(TensorHandle tensor, double mean, double std);
}
