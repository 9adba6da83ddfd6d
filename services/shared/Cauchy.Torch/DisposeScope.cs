namespace Cauchy.Torch;

/// <summary>
/// Collects every tensor created on this thread while it is the innermost scope and disposes them when the
/// scope ends, so a training step releases its temporaries at once instead of whenever the GC finalizes them
/// (native memory the GC cannot see would otherwise pile up). Results that must outlive the step are moved
/// out with <see cref="MoveToOuter"/> or <see cref="Tensor.MoveToOuterDisposeScope"/>.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic]
    private static DisposeScope? current;

    private readonly HashSet<Tensor> tensors = new(ReferenceEqualityComparer.Instance);
    private bool disposed;

    internal DisposeScope()
    {
        Outer = current;
        current = this;
    }

    /// <summary>The number of live tensors this scope will dispose.</summary>
    public int Count => tensors.Count;

    internal DisposeScope? Outer { get; }

    internal static DisposeScope? Current => current;

    /// <summary>Hands the tensor to the enclosing scope (or to no scope) so it survives this one.</summary>
    public Tensor MoveToOuter(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.MoveToOuterDisposeScope();
        return tensor;
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        foreach (Tensor tensor in tensors.ToArray())
        {
            tensor.Dispose();
        }

        tensors.Clear();
        if (ReferenceEquals(current, this))
        {
            current = LiveOuter(Outer);
        }
    }

    // A scope disposed out of order must not keep collecting tensors it will never free.
    internal static DisposeScope? LiveOuter(DisposeScope? scope)
    {
        while (scope is { disposed: true })
        {
            scope = scope.Outer;
        }

        return scope;
    }

    internal void Add(Tensor tensor) => tensors.Add(tensor);

    internal void Remove(Tensor tensor) => tensors.Remove(tensor);
}
