// PyTorch's module name: `nn.functional.cross_entropy(logits, target)`.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>
    /// Stateless forms of the layers and the losses (PyTorch's <c>torch.nn.functional</c>). Each is libtorch's
    /// functional op called with the arguments PyTorch's Python passes, so results match PyTorch's.
    /// </summary>
    public static class functional
    {
        public static Tensor relu(Tensor input) => Activation(input, 0, 0);

        /// <summary>
        /// max(x, 0) written into <paramref name="input"/>, which is returned (PyTorch's <c>relu_</c>): no new tensor.
        /// Autograd allows it where nothing saved the input for backward, e.g. on a batch-norm output.
        /// </summary>
        public static Tensor relu_(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            NativeMethods.Check(NativeMethods.cauchy_nn_activation_(input.Handle, 0, 0));
            return input;
        }

        public static Tensor leaky_relu(Tensor input, double negative_slope = 0.01) => Activation(input, 1, negative_slope);

        public static Tensor silu(Tensor input) => Activation(input, 2, 0);

        public static Tensor sigmoid(Tensor input) => Activation(input, 3, 0);

        /// <summary>min(max(x, 0), 6), as libtorch's hardtanh(0, 6) (MobileNetV2's activation).</summary>
        public static Tensor relu6(Tensor input) => Activation(input, 4, 0);

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

        public static Tensor conv2d(
            Tensor input,
            Tensor weight,
            Tensor? bias = null,
            (long h, long w)? stride = null,
            (long h, long w)? padding = null,
            (long h, long w)? dilation = null,
            long groups = 1)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(weight);
            return Wrap(
                NativeMethods.cauchy_nn_conv2d(
                    input.Handle,
                    weight.Handle,
                    HandleOrNull(bias),
                    Pair(stride ?? (1, 1)),
                    Pair(padding ?? (0, 0)),
                    Pair(dilation ?? (1, 1)),
                    groups,
                    out TensorHandle result),
                result);
        }

        public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(weight);
            return Wrap(NativeMethods.cauchy_nn_linear(input.Handle, weight.Handle, HandleOrNull(bias), out TensorHandle result), result);
        }

        public static Tensor max_pool2d(
            Tensor input,
            (long h, long w) kernel_size,
            (long h, long w)? stride = null,
            (long h, long w)? padding = null,
            (long h, long w)? dilation = null,
            bool ceil_mode = false)
        {
            ArgumentNullException.ThrowIfNull(input);
            return Wrap(
                NativeMethods.cauchy_nn_max_pool2d(
                    input.Handle,
                    Pair(kernel_size),
                    Pair(stride ?? kernel_size),
                    Pair(padding ?? (0, 0)),
                    Pair(dilation ?? (1, 1)),
                    ceil_mode ? 1 : 0,
                    out TensorHandle result),
                result);
        }

        public static Tensor max_pool2d(Tensor input, long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false) =>
            max_pool2d(input, (kernel_size, kernel_size), (stride ?? kernel_size, stride ?? kernel_size), (padding, padding), (dilation, dilation), ceil_mode);

        public static Tensor avg_pool2d(
            Tensor input,
            (long h, long w) kernel_size,
            (long h, long w)? stride = null,
            (long h, long w)? padding = null,
            bool ceil_mode = false,
            bool count_include_pad = true,
            long? divisor_override = null)
        {
            ArgumentNullException.ThrowIfNull(input);
            return Wrap(
                NativeMethods.cauchy_nn_avg_pool2d(
                    input.Handle,
                    Pair(kernel_size),
                    Pair(stride ?? kernel_size),
                    Pair(padding ?? (0, 0)),
                    ceil_mode ? 1 : 0,
                    count_include_pad ? 1 : 0,
                    divisor_override ?? 0,
                    out TensorHandle result),
                result);
        }

        public static Tensor avg_pool2d(Tensor input, long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true) =>
            avg_pool2d(input, (kernel_size, kernel_size), (stride ?? kernel_size, stride ?? kernel_size), (padding, padding), ceil_mode, count_include_pad);

        public static Tensor adaptive_avg_pool2d(Tensor input, (long h, long w) output_size)
        {
            ArgumentNullException.ThrowIfNull(input);
            return Wrap(NativeMethods.cauchy_nn_adaptive_avg_pool2d(input.Handle, Pair(output_size), out TensorHandle result), result);
        }

        public static Tensor adaptive_avg_pool2d(Tensor input, long output_size) => adaptive_avg_pool2d(input, (output_size, output_size));

        /// <summary>Zeroes each element with probability <paramref name="p"/> and scales the rest by 1/(1-p) when training.</summary>
        public static Tensor dropout(Tensor input, double p = 0.5, bool training = true)
        {
            ArgumentNullException.ThrowIfNull(input);
            return Wrap(NativeMethods.cauchy_nn_dropout(input.Handle, p, training ? 1 : 0, out TensorHandle result), result);
        }

        /// <summary>
        /// Resizes (N, C, H, W) input to <paramref name="size"/> or by <paramref name="scale_factor"/> (exactly one),
        /// mode "nearest" or "bilinear"; <paramref name="align_corners"/> only for bilinear (unset means false).
        /// </summary>
        public static Tensor interpolate(
            Tensor input,
            (long h, long w)? size = null,
            (double h, double w)? scale_factor = null,
            string mode = "nearest",
            bool? align_corners = null)
        {
            ArgumentNullException.ThrowIfNull(input);
            int modeCode = mode switch
            {
                "nearest" => 0,
                "bilinear" => 1,
                _ => throw new ArgumentException($"interpolate mode \"{mode}\" is not supported; use \"nearest\" or \"bilinear\"", nameof(mode)),
            };
            long[]? sizeArray = size is { } s ? [s.h, s.w] : null;
            double[]? scaleArray = scale_factor is { } f ? [f.h, f.w] : null;
            int align = align_corners is null ? -1 : align_corners.Value ? 1 : 0;
            return Wrap(NativeMethods.cauchy_nn_interpolate(input.Handle, modeCode, sizeArray, scaleArray, align, out TensorHandle result), result);
        }

        /// <summary>
        /// Cross-entropy of logits (N, C[, ...]) against class indices (int64) or class probabilities, with
        /// optional class <paramref name="weight"/>s, <paramref name="ignore_index"/> and label smoothing.
        /// </summary>
        public static Tensor cross_entropy(
            Tensor input,
            Tensor target,
            Tensor? weight = null,
            long ignore_index = -100,
            Reduction reduction = Reduction.Mean,
            double label_smoothing = 0.0)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(target);
            return Wrap(
                NativeMethods.cauchy_nn_cross_entropy(
                    input.Handle, target.Handle, HandleOrNull(weight), (int)reduction, ignore_index, label_smoothing, out TensorHandle result),
                result);
        }

        /// <summary>Sigmoid + binary cross-entropy in one numerically stable op; <paramref name="pos_weight"/> weighs positives per class.</summary>
        public static Tensor binary_cross_entropy_with_logits(
            Tensor input,
            Tensor target,
            Tensor? weight = null,
            Reduction reduction = Reduction.Mean,
            Tensor? pos_weight = null)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(target);
            return Wrap(
                NativeMethods.cauchy_nn_binary_cross_entropy_with_logits(
                    input.Handle, target.Handle, HandleOrNull(weight), HandleOrNull(pos_weight), (int)reduction, out TensorHandle result),
                result);
        }

        /// <summary>Huber-style loss: quadratic below <paramref name="beta"/>, linear above (beta 0 is the L1 loss).</summary>
        public static Tensor smooth_l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(target);
            return Wrap(NativeMethods.cauchy_nn_smooth_l1_loss(input.Handle, target.Handle, (int)reduction, beta, out TensorHandle result), result);
        }

        public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(target);
            return Wrap(NativeMethods.cauchy_nn_mse_loss(input.Handle, target.Handle, (int)reduction, out TensorHandle result), result);
        }

        internal static Tensor BatchNorm(
            Tensor input,
            Tensor? weight,
            Tensor? bias,
            Tensor? runningMean,
            Tensor? runningVar,
            Tensor? numBatchesTracked,
            bool training,
            double? momentum,
            double eps)
        {
            ArgumentNullException.ThrowIfNull(input);
            return Wrap(
                NativeMethods.cauchy_nn_batch_norm(
                    input.Handle,
                    HandleOrNull(weight),
                    HandleOrNull(bias),
                    HandleOrNull(runningMean),
                    HandleOrNull(runningVar),
                    HandleOrNull(numBatchesTracked),
                    training ? 1 : 0,
                    momentum.HasValue ? 1 : 0,
                    momentum ?? 0,
                    eps,
                    out TensorHandle result),
                result);
        }

        private static Tensor Activation(Tensor input, int kind, double param)
        {
            ArgumentNullException.ThrowIfNull(input);
            return Wrap(NativeMethods.cauchy_nn_activation(input.Handle, kind, param, out TensorHandle result), result);
        }
    }
}
