namespace Cauchy.Torch;

/// <summary>
/// A libtorch tensor. Names follow PyTorch (shape, dtype, requires_grad, backward) so code reads like the
/// Python it was ported from. Dispose it, or create it inside a <see cref="DisposeScope"/>: the native
/// memory it holds is invisible to the garbage collector.
/// </summary>
public partial class Tensor : IDisposable
{
    private DisposeScope? scope;

    internal Tensor(TensorHandle handle)
        : this(handle, joinDisposeScope: true)
    {
    }

    // Parameters and buffers belong to their module, not to the scope that happened to be current.
    private protected Tensor(TensorHandle handle, bool joinDisposeScope)
    {
        Handle = handle;
        if (joinDisposeScope)
        {
            scope = DisposeScope.Current;
            scope?.Add(this);
        }
    }

    /// <summary>True once the native tensor has been released.</summary>
    public bool IsDisposed => Handle.IsClosed;

    public long[] shape
    {
        get
        {
            NativeMethods.Check(NativeMethods.cauchy_tensor_ndim(Handle, out int ndim));
            var result = new long[ndim];
            NativeMethods.Check(NativeMethods.cauchy_tensor_shape(Handle, result, ndim));
            return result;
        }
    }

    public ScalarType dtype
    {
        get
        {
            NativeMethods.Check(NativeMethods.cauchy_tensor_dtype(Handle, out int code));
            return (ScalarType)code;
        }
    }

    public Device device
    {
        get
        {
            NativeMethods.Check(NativeMethods.cauchy_tensor_device(Handle, out int type, out int index));
            return new Device((DeviceType)type, index);
        }
    }

    public bool requires_grad
    {
        get
        {
            NativeMethods.Check(NativeMethods.cauchy_tensor_requires_grad(Handle, out int value));
            return value != 0;
        }

        set => NativeMethods.Check(NativeMethods.cauchy_tensor_set_requires_grad(Handle, value ? 1 : 0));
    }

    /// <summary>
    /// The accumulated gradient, or null before any backward pass reached this tensor. Each read returns a new
    /// Tensor sharing the gradient's storage: dispose it (or read it inside a scope).
    /// </summary>
    public Tensor? grad
    {
        get
        {
            NativeMethods.Check(NativeMethods.cauchy_tensor_grad(Handle, out TensorHandle result));
            if (result.IsInvalid)
            {
                result.Dispose();
                return null;
            }

            return new Tensor(result);
        }
    }

    internal TensorHandle Handle { get; }

    public static Tensor operator +(Tensor a, Tensor b) => Binary(NativeMethods.cauchy_tensor_add, a, b);

    public static Tensor operator -(Tensor a, Tensor b) => Binary(NativeMethods.cauchy_tensor_sub, a, b);

    public static Tensor operator *(Tensor a, Tensor b) => Binary(NativeMethods.cauchy_tensor_mul, a, b);

    public static Tensor operator /(Tensor a, Tensor b) => Binary(NativeMethods.cauchy_tensor_div, a, b);

    public static Tensor operator +(Tensor a, double b) => a.Call(NativeMethods.cauchy_tensor_add_scalar, b);

    public static Tensor operator +(double a, Tensor b) => b + a;

    public static Tensor operator -(Tensor a, double b) => a.Call(NativeMethods.cauchy_tensor_add_scalar, -b);

    public static Tensor operator -(double a, Tensor b)
    {
        using Tensor negated = -b;
        return negated + a;
    }

    public static Tensor operator *(Tensor a, double b) => a.Call(NativeMethods.cauchy_tensor_mul_scalar, b);

    public static Tensor operator *(double a, Tensor b) => b * a;

    public static Tensor operator -(Tensor a) => a.Call(NativeMethods.cauchy_tensor_neg);

    /// <summary>PyTorch's <c>t[i]</c>: a view of row <paramref name="index"/> (negative counts from the end).</summary>
    public Tensor this[long index] => select(0, index);

    public long numel()
    {
        NativeMethods.Check(NativeMethods.cauchy_tensor_numel(Handle, out long count));
        return count;
    }

    public int dim()
    {
        NativeMethods.Check(NativeMethods.cauchy_tensor_ndim(Handle, out int ndim));
        return ndim;
    }

    public Tensor matmul(Tensor other) => Binary(NativeMethods.cauchy_tensor_matmul, this, other);

    public Tensor sum() => Call(NativeMethods.cauchy_tensor_sum);

    public Tensor mean() => Call(NativeMethods.cauchy_tensor_mean);

    public Tensor sum(long dim, bool keepdim = false)
    {
        NativeMethods.Check(NativeMethods.cauchy_tensor_sum_dim(Handle, dim, keepdim ? 1 : 0, out TensorHandle result));
        return new Tensor(result);
    }

    public Tensor mean(long dim, bool keepdim = false)
    {
        NativeMethods.Check(NativeMethods.cauchy_tensor_mean_dim(Handle, dim, keepdim ? 1 : 0, out TensorHandle result));
        return new Tensor(result);
    }

    /// <summary>Indices (int64) of the largest values along <paramref name="dim"/>: the predicted class of logits.</summary>
    public Tensor argmax(long dim, bool keepdim = false)
    {
        NativeMethods.Check(NativeMethods.cauchy_tensor_argmax(Handle, dim, keepdim ? 1 : 0, out TensorHandle result));
        return new Tensor(result);
    }

    /// <summary>A view of entry <paramref name="index"/> along <paramref name="dim"/>, that dimension removed (PyTorch's <c>t[..., i]</c>).</summary>
    public Tensor select(long dim, long index)
    {
        NativeMethods.Check(NativeMethods.cauchy_tensor_select(Handle, dim, index, out TensorHandle result));
        return new Tensor(result);
    }

    /// <summary>A view of <paramref name="length"/> entries from <paramref name="start"/> along <paramref name="dim"/> (PyTorch's slice).</summary>
    public Tensor narrow(long dim, long start, long length)
    {
        NativeMethods.Check(NativeMethods.cauchy_tensor_narrow(Handle, dim, start, length, out TensorHandle result));
        return new Tensor(result);
    }

    public Tensor relu() => Call(NativeMethods.cauchy_tensor_relu);

    /// <summary>Same data in a new shape; copies only when the layout requires it (PyTorch's reshape).</summary>
    public Tensor reshape(params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        NativeMethods.Check(NativeMethods.cauchy_tensor_reshape(Handle, shape, shape.Length, out TensorHandle result));
        return new Tensor(result);
    }

    /// <summary>A view sharing this tensor's storage; fails rather than copy when the layout does not allow it.</summary>
    public Tensor view(params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        NativeMethods.Check(NativeMethods.cauchy_tensor_view(Handle, shape, shape.Length, out TensorHandle result));
        return new Tensor(result);
    }

    /// <summary>A copy converted to <paramref name="type"/> (PyTorch's <c>to(dtype)</c>).</summary>
    public Tensor to(ScalarType type)
    {
        NativeMethods.Check(NativeMethods.cauchy_tensor_to_dtype(Handle, (int)type, out TensorHandle result));
        return new Tensor(result);
    }

    /// <summary>The tensor on <paramref name="target"/>; moving to a CUDA device raises when libtorch has no CUDA.</summary>
    public Tensor to(Device target)
    {
        ArgumentNullException.ThrowIfNull(target);
        NativeMethods.Check(NativeMethods.cauchy_tensor_to_device(Handle, (int)target.type, target.index, out TensorHandle result));
        return new Tensor(result);
    }

    /// <summary>The same data cut off from the autograd graph.</summary>
    public Tensor detach() => Call(NativeMethods.cauchy_tensor_detach);

    public void backward() => NativeMethods.Check(NativeMethods.cauchy_tensor_backward(Handle));

    /// <summary>Copies the values to a new array in row-major order; T must match <see cref="dtype"/>.</summary>
    public unsafe T[] ToArray<T>()
        where T : unmanaged
    {
        ScalarType expected = torch.ScalarTypeOf<T>();
        ScalarType actual = dtype;
        if (actual != expected)
        {
            throw new TorchException($"ToArray<{typeof(T).Name}> needs a tensor of dtype {expected}, this one is {actual}", 3);
        }

        var result = new T[numel()];
        fixed (T* destination = result)
        {
            NativeMethods.Check(NativeMethods.cauchy_tensor_copy_to_host(Handle, destination, (long)result.Length * sizeof(T)));
        }

        return result;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public unsafe T item<T>()
        where T : unmanaged
    {
        // One native call (dtype and size checks included): a training step reads its loss every step.
        T value;
        NativeMethods.Check(NativeMethods.cauchy_tensor_item(Handle, (int)torch.ScalarTypeOf<T>(), &value));
        return value;
    }

    /// <summary>Hands this tensor to the scope enclosing its current one (or to none), so it outlives the step.</summary>
    public Tensor MoveToOuterDisposeScope()
    {
        if (scope is not null)
        {
            scope.Remove(this);
            scope = DisposeScope.LiveOuter(scope.Outer);
            scope?.Add(this);
        }

        return this;
    }

    /// <summary>Takes this tensor out of every dispose scope; the caller disposes it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        scope?.Remove(this);
        scope = null;
        return this;
    }

    public void Dispose()
    {
        scope?.Remove(this);
        scope = null;
        Handle.Dispose();
    }

    public override string ToString() =>
        IsDisposed ? "tensor(disposed)" : $"tensor(shape=[{string.Join(", ", shape)}], dtype={dtype}, device={device})";

    private static Tensor Binary(BinaryOp op, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        NativeMethods.Check(op(a.Handle, b.Handle, out TensorHandle result));
        return new Tensor(result);
    }

    private Tensor Call(UnaryOp op)
    {
        NativeMethods.Check(op(Handle, out TensorHandle result));
        return new Tensor(result);
    }

    private Tensor Call(ScalarOp op, double value)
    {
        NativeMethods.Check(op(Handle, value, out TensorHandle result));
        return new Tensor(result);
    }

    private delegate int BinaryOp(TensorHandle a, TensorHandle b, out TensorHandle result);

    private delegate int UnaryOp(TensorHandle a, out TensorHandle result);

    private delegate int ScalarOp(TensorHandle a, double b, out TensorHandle result);
}
