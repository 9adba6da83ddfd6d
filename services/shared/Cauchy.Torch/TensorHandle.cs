using System.Runtime.InteropServices;

namespace Cauchy.Torch;

// Owns one native cauchy_tensor. A SafeHandle (not a raw nint) so a tensor the caller forgets to dispose is
// still freed by the finalizer, and a handle cannot be freed while a P/Invoke call is using it.
internal sealed class TensorHandle : SafeHandle
{
    // The LibraryImport marshaller creates handles for `out TensorHandle` through this constructor.
    public TensorHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    // Stands for an absent optional tensor (a layer without bias): marshals as a NULL pointer. Never disposed.
    internal static readonly TensorHandle Null = new();

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.cauchy_tensor_free(handle);
        return true;
    }
}
