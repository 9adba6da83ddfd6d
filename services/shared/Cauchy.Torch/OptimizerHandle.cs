using System.Runtime.InteropServices;

namespace Cauchy.Torch;

// Owns one native cauchy_optimizer (the per-parameter state table of an optimizer).
internal sealed class OptimizerHandle : SafeHandle
{
    public OptimizerHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.cauchy_optim_free(handle);
        return true;
    }
}
