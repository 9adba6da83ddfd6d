// PyTorch's module name: `nn.init.kaiming_normal_(w, mode: "fan_out", nonlinearity: "relu")`.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>
    /// Weight initialisers (PyTorch's <c>torch.nn.init</c>). Bounds and standard deviations are computed in double
    /// precision exactly as PyTorch's Python does, and the draws come from libtorch's global generator, so the
    /// same seed gives the same weights bit for bit.
    /// </summary>
    public static class init
    {
        /// <summary>The recommended gain for a nonlinearity ("linear", "conv2d", "sigmoid", "tanh", "relu", "leaky_relu", "selu").</summary>
        public static double calculate_gain(string nonlinearity, double? param = null)
        {
            switch (nonlinearity)
            {
                case "linear" or "conv1d" or "conv2d" or "conv3d" or "conv_transpose1d" or "conv_transpose2d" or "conv_transpose3d" or "sigmoid":
                    return 1;
                case "tanh":
                    return 5.0 / 3;
                case "relu":
                    return Math.Sqrt(2.0);
                case "leaky_relu":
                    double slope = param ?? 0.01;
                    return Math.Sqrt(2.0 / (1 + (slope * slope)));
                case "selu":
                    return 3.0 / 4;
                default:
                    throw new ArgumentException($"Unsupported nonlinearity {nonlinearity}", nameof(nonlinearity));
            }
        }

        public static Tensor uniform_(Tensor tensor, double a = 0, double b = 1)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            NativeMethods.Check(NativeMethods.cauchy_nn_init_uniform_(tensor.Handle, a, b));
            return tensor;
        }

        public static Tensor normal_(Tensor tensor, double mean = 0, double std = 1)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            NativeMethods.Check(NativeMethods.cauchy_nn_init_normal_(tensor.Handle, mean, std));
            return tensor;
        }

        public static Tensor constant_(Tensor tensor, double value)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            return tensor.fill_(value);
        }

        public static Tensor ones_(Tensor tensor) => constant_(tensor, 1);

        public static Tensor zeros_(Tensor tensor)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            return tensor.zero_();
        }

        /// <summary>He initialisation, uniform: bound = gain * sqrt(3 / fan).</summary>
        public static Tensor kaiming_uniform_(Tensor tensor, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu")
        {
            double std = calculate_gain(nonlinearity, a) / Math.Sqrt(CorrectFan(tensor, mode));
            double bound = Math.Sqrt(3.0) * std;
            return uniform_(tensor, -bound, bound);
        }

        /// <summary>He initialisation, normal: std = gain / sqrt(fan).</summary>
        public static Tensor kaiming_normal_(Tensor tensor, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu")
        {
            double std = calculate_gain(nonlinearity, a) / Math.Sqrt(CorrectFan(tensor, mode));
            return normal_(tensor, 0, std);
        }

        /// <summary>(fan_in, fan_out) of a weight: input/output feature maps times the receptive field size.</summary>
        public static (long fan_in, long fan_out) calculate_fan_in_and_fan_out(Tensor tensor)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            long[] shape = tensor.shape;
            if (shape.Length < 2)
            {
                throw new ArgumentException("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions", nameof(tensor));
            }

            long receptiveField = 1;
            for (int i = 2; i < shape.Length; i++)
            {
                receptiveField *= shape[i];
            }

            return (shape[1] * receptiveField, shape[0] * receptiveField);
        }

        private static long CorrectFan(Tensor tensor, string mode)
        {
            (long fanIn, long fanOut) = calculate_fan_in_and_fan_out(tensor);
            return mode switch
            {
                "fan_in" => fanIn,
                "fan_out" => fanOut,
                _ => throw new ArgumentException($"Mode {mode} not supported, please use one of fan_in, fan_out", nameof(mode)),
            };
        }
    }
}
