// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>Resizes (N, C, H, W) input to a size or by a scale factor, "nearest" or "bilinear" (see <see cref="functional.interpolate"/>).</summary>
    public sealed class Upsample : Module<Tensor, Tensor>
    {
        public Upsample((long h, long w)? size = null, (double h, double w)? scale_factor = null, string mode = "nearest", bool? align_corners = null)
        {
            if (size is null == scale_factor is null)
            {
                throw new ArgumentException("either size or scale_factor should be defined, not both");
            }

            if (mode is not ("nearest" or "bilinear"))
            {
                throw new ArgumentException($"Upsample mode \"{mode}\" is not supported; use \"nearest\" or \"bilinear\"", nameof(mode));
            }

            this.size = size;
            this.scale_factor = scale_factor;
            this.mode = mode;
            this.align_corners = align_corners;
        }

        public Upsample(double scale_factor, string mode = "nearest", bool? align_corners = null)
            : this(null, (scale_factor, scale_factor), mode, align_corners)
        {
        }

        public (long h, long w)? size { get; }

        public (double h, double w)? scale_factor { get; }

        public string mode { get; }

        public bool? align_corners { get; }

        public override Tensor forward(Tensor input) => functional.interpolate(input, size, scale_factor, mode, align_corners);
    }
}
