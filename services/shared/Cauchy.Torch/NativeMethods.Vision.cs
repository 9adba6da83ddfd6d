using System.Runtime.InteropServices;

namespace Cauchy.Torch;

// P/Invokes of native/vision.h: OpenCV image operations and tensors over caller-owned host memory.
internal static partial class NativeMethods
{
    [LibraryImport(Library)]
    internal static unsafe partial int cauchy_vision_decode(void* data, long nbytes, int mode, out TensorHandle result);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int cauchy_vision_encode(TensorHandle image, string extension, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_vision_resize(TensorHandle image, int height, int width, int interpolation, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_vision_cvt_color(TensorHandle image, int code, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_vision_to_chw_float(TensorHandle image, out TensorHandle result);

    [LibraryImport(Library)]
    internal static unsafe partial int cauchy_vision_from_blob(
        void* data, long nbytes, long[] shape, int ndim, int dtype, delegate* unmanaged<nint, void> release, nint context, out TensorHandle result);
}
