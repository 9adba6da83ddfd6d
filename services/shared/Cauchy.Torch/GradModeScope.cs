namespace Cauchy.Torch;

/// <summary>
/// Sets libtorch's per-thread grad mode and restores the previous mode when disposed, like PyTorch's
/// <c>with torch.no_grad():</c>. Dispose it on the thread that created it: grad mode is thread-local.
/// </summary>
public sealed class GradModeScope : IDisposable
{
    private readonly bool previous;
    private bool disposed;

    internal GradModeScope(bool enabled)
    {
        previous = torch.is_grad_enabled();
        NativeMethods.Check(NativeMethods.cauchy_set_grad_enabled(enabled ? 1 : 0));
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        NativeMethods.Check(NativeMethods.cauchy_set_grad_enabled(previous ? 1 : 0));
    }
}
