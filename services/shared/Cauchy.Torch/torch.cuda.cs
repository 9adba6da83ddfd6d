// Lower-case on purpose, like torch.cs: `torch.cuda.is_available()` is PyTorch's spelling.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class torch
{
    /// <summary>CUDA queries; a CPU-only libtorch (Debian's) answers "not available" and zero devices.</summary>
    public static class cuda
    {
        public static bool is_available()
        {
            NativeMethods.Check(NativeMethods.cauchy_cuda_is_available(out int available));
            return available != 0;
        }

        public static int device_count()
        {
            NativeMethods.Check(NativeMethods.cauchy_cuda_device_count(out int count));
            return count;
        }
    }
}
