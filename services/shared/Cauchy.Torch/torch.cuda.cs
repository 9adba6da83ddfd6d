// Lower-case on purpose, like torch.cs: `torch.cuda.is_available()` is PyTorch's spelling.
#pragma warning disable CS8981

using System.Runtime.InteropServices;
using System.Text;

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

        /// <summary>
        /// Waits until every kernel queued on <paramref name="device"/> (-1: the current device) has finished, as
        /// <c>torch.cuda.synchronize()</c> does; time a region of GPU work after it. Throws when libtorch sees no
        /// CUDA device.
        /// </summary>
        public static void synchronize(int device = -1) =>
            NativeMethods.Check(NativeMethods.cauchy_cuda_synchronize(device));

        /// <summary>
        /// The device's name, memory, compute capability and multiprocessor count, read from the CUDA driver
        /// (<c>torch.cuda.get_device_properties</c>). Throws naming the driver library on a machine without one, and
        /// naming the index when it is out of range.
        /// </summary>
        public static unsafe CudaDeviceProperties get_device_properties(int device = 0)
        {
            const int capacity = 256;
            byte* name = stackalloc byte[capacity];
            NativeMethods.Check(NativeMethods.cauchy_cuda_get_device_properties(device, name, capacity, out long total, out int major, out int minor, out int multiprocessors));
            return new CudaDeviceProperties(Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(name)), total, major, minor, multiprocessors);
        }

        /// <summary>The device's name (<c>torch.cuda.get_device_name</c>).</summary>
        public static string get_device_name(int device = 0) => get_device_properties(device).name;

        /// <summary>
        /// Free and total memory of the device in bytes, as the driver counts them for every process on it
        /// (<c>torch.cuda.mem_get_info</c>).
        /// </summary>
        public static (long free, long total) mem_get_info(int device = 0)
        {
            NativeMethods.Check(NativeMethods.cauchy_cuda_mem_get_info(device, out long free, out long total));
            return (free, total);
        }
    }
}

/// <summary>What <see cref="torch.cuda.get_device_properties"/> returns; PyTorch's field names.</summary>
public sealed record CudaDeviceProperties(string name, long total_memory, int major, int minor, int multi_processor_count)
{
    public override string ToString() =>
        $"{name} (compute capability {major}.{minor}, {multi_processor_count} multiprocessors, {total_memory / (1024.0 * 1024 * 1024):F1} GiB)";
}
