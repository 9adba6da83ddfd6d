namespace Cauchy.Torch;

// Shape, element-wise, comparison and in-place operations that layers, losses and model code need. Kept apart
// from Tensor.cs (lifetime, arithmetic operators, host copies) so the class stays readable.
public partial class Tensor
{
    public static Tensor operator /(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Call(NativeMethods.cauchy_tensor_div_scalar, b);
    }

    /// <summary>Dimensions <paramref name="start_dim"/>..<paramref name="end_dim"/> merged into one (PyTorch's flatten).</summary>
    public Tensor flatten(long start_dim = 0, long end_dim = -1)
    {
        NativeMethods.Check(NativeMethods.cauchy_tensor_flatten(Handle, start_dim, end_dim, out TensorHandle result));
        return new Tensor(result);
    }

    public Tensor permute(params long[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        NativeMethods.Check(NativeMethods.cauchy_tensor_permute(Handle, dims, dims.Length, out TensorHandle result));
        return new Tensor(result);
    }

    public Tensor transpose(long dim0, long dim1)
    {
        NativeMethods.Check(NativeMethods.cauchy_tensor_transpose(Handle, dim0, dim1, out TensorHandle result));
        return new Tensor(result);
    }

    public Tensor unsqueeze(long dim) => CallDim(NativeMethods.cauchy_tensor_unsqueeze, dim);

    /// <summary>Removes dimension <paramref name="dim"/> if its size is 1 (PyTorch's squeeze(dim)).</summary>
    public Tensor squeeze(long dim) => CallDim(NativeMethods.cauchy_tensor_squeeze, dim);

    public Tensor contiguous() => Call(NativeMethods.cauchy_tensor_contiguous);

    /// <summary>A copy with its own storage that stays in the autograd graph.</summary>
    public Tensor clone() => Call(NativeMethods.cauchy_tensor_clone);

    /// <summary>
    /// Splits into <paramref name="chunks"/> views along <paramref name="dim"/>, each ceil(size / chunks) long
    /// except the last (PyTorch's chunk).
    /// </summary>
    public Tensor[] chunk(long chunks, long dim = 0)
    {
        if (chunks < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(chunks), chunks, "chunk expects at least one chunk");
        }

        long[] sizes = shape;
        long d = dim < 0 ? dim + sizes.Length : dim;
        if (d < 0 || d >= sizes.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"dimension out of range for a tensor of {sizes.Length} dimensions");
        }

        long size = sizes[d];
        long step = Math.Max(1, (size + chunks - 1) / chunks);
        var parts = new List<Tensor>();
        for (long start = 0; start < size; start += step)
        {
            parts.Add(narrow(d, start, Math.Min(step, size - start)));
        }

        return [.. parts];
    }

    public Tensor exp() => Unary(0);

    public Tensor log() => Unary(1);

    public Tensor sqrt() => Unary(2);

    public Tensor abs() => Unary(3);

    public Tensor sigmoid() => Unary(4);

    public Tensor tanh() => Unary(5);

    public Tensor pow(double exponent) => Call(NativeMethods.cauchy_tensor_pow_scalar, exponent);

    /// <summary>Values limited to [min, max]; a null bound leaves that side open.</summary>
    public Tensor clamp(double? min = null, double? max = null)
    {
        NativeMethods.Check(NativeMethods.cauchy_tensor_clamp(
            Handle, min.HasValue ? 1 : 0, min ?? 0, max.HasValue ? 1 : 0, max ?? 0, out TensorHandle result));
        return new Tensor(result);
    }

    public Tensor softmax(long dim) => CallDim(NativeMethods.cauchy_tensor_softmax, dim);

    public Tensor log_softmax(long dim) => CallDim(NativeMethods.cauchy_tensor_log_softmax, dim);

    /// <summary>Sum over several dimensions at once (PyTorch's <c>x.sum([2, 3])</c>).</summary>
    public Tensor sum(long[] dims, bool keepdim = false)
    {
        ArgumentNullException.ThrowIfNull(dims);
        NativeMethods.Check(NativeMethods.cauchy_tensor_sum_dims(Handle, dims, dims.Length, keepdim ? 1 : 0, out TensorHandle result));
        return new Tensor(result);
    }

    /// <summary>Mean over several dimensions at once (PyTorch's <c>x.mean([2, 3])</c>, global average pooling).</summary>
    public Tensor mean(long[] dims, bool keepdim = false)
    {
        ArgumentNullException.ThrowIfNull(dims);
        NativeMethods.Check(NativeMethods.cauchy_tensor_mean_dims(Handle, dims, dims.Length, keepdim ? 1 : 0, out TensorHandle result));
        return new Tensor(result);
    }

    /// <summary>The <paramref name="k"/> largest (or smallest) entries along <paramref name="dim"/> and their int64 indices.</summary>
    public (Tensor values, Tensor indices) topk(long k, long dim = -1, bool largest = true, bool sorted = true)
    {
        NativeMethods.Check(NativeMethods.cauchy_tensor_topk(
            Handle, k, dim, largest ? 1 : 0, sorted ? 1 : 0, out TensorHandle values, out TensorHandle indices));
        return (new Tensor(values), new Tensor(indices));
    }

    public Tensor eq(Tensor other) => Compare(other, 0);

    public Tensor ne(Tensor other) => Compare(other, 1);

    public Tensor lt(Tensor other) => Compare(other, 2);

    public Tensor le(Tensor other) => Compare(other, 3);

    public Tensor gt(Tensor other) => Compare(other, 4);

    public Tensor ge(Tensor other) => Compare(other, 5);

    public Tensor eq(double other) => Compare(other, 0);

    public Tensor ne(double other) => Compare(other, 1);

    public Tensor lt(double other) => Compare(other, 2);

    public Tensor le(double other) => Compare(other, 3);

    public Tensor gt(double other) => Compare(other, 4);

    public Tensor ge(double other) => Compare(other, 5);

    /// <summary>True when both tensors have the same shape and the same values (torch.equal).</summary>
    public bool equal(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        NativeMethods.Check(NativeMethods.cauchy_tensor_equal(Handle, other.Handle, out int result));
        return result != 0;
    }

    public bool allclose(Tensor other, double rtol = 1e-05, double atol = 1e-08)
    {
        ArgumentNullException.ThrowIfNull(other);
        NativeMethods.Check(NativeMethods.cauchy_tensor_allclose(Handle, other.Handle, rtol, atol, out int result));
        return result != 0;
    }

    /// <summary>
    /// Copies <paramref name="src"/> into this tensor (broadcasting, converting dtype and device) and returns it.
    /// Not recorded by autograd: this is the <c>with torch.no_grad(): t.copy_(src)</c> of loading weights.
    /// </summary>
    public Tensor copy_(Tensor src)
    {
        ArgumentNullException.ThrowIfNull(src);
        NativeMethods.Check(NativeMethods.cauchy_tensor_copy_(Handle, src.Handle));
        return this;
    }

    /// <summary>
    /// Adds <paramref name="other"/> (broadcast) into this tensor and returns it; recorded by autograd (PyTorch's
    /// <c>out += identity</c>). libtorch refuses it when autograd saved this tensor for backward.
    /// </summary>
    public Tensor add_(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        NativeMethods.Check(NativeMethods.cauchy_tensor_add_(Handle, other.Handle));
        return this;
    }

    /// <summary>Sets every element to zero in place (not recorded by autograd) and returns this tensor.</summary>
    public Tensor zero_()
    {
        NativeMethods.Check(NativeMethods.cauchy_tensor_zero_(Handle));
        return this;
    }

    /// <summary>Sets every element to <paramref name="value"/> in place (not recorded by autograd) and returns this tensor.</summary>
    public Tensor fill_(double value)
    {
        NativeMethods.Check(NativeMethods.cauchy_tensor_fill_(Handle, value));
        return this;
    }

    // A second handle to this very tensor (same storage, same place in the autograd graph) that the caller owns.
    internal Tensor NewHandle() => Call(NativeMethods.cauchy_tensor_alias);

    // PyTorch's `t.data = other`: every holder of this handle sees the new storage (Module.to keeps parameters).
    internal void SetData(Tensor source) => NativeMethods.Check(NativeMethods.cauchy_tensor_set_data(Handle, source.Handle));

    internal void ZeroGrad(bool setToNone) => NativeMethods.Check(NativeMethods.cauchy_tensor_zero_grad(Handle, setToNone ? 1 : 0));

    internal bool IsFloatingPoint => dtype is ScalarType.Float32 or ScalarType.Float64;

    // Runs a native function over a list of tensors; each handle is held (AddRef) so none is freed mid-call.
    internal static Tensor CallList(ListOp op, IReadOnlyList<Tensor> tensors, long dim)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var pointers = new nint[tensors.Count];
        int held = 0;
        try
        {
            for (; held < tensors.Count; held++)
            {
                ArgumentNullException.ThrowIfNull(tensors[held], $"tensors[{held}]");
                bool added = false;
                tensors[held].Handle.DangerousAddRef(ref added);
                pointers[held] = tensors[held].Handle.DangerousGetHandle();
            }

            NativeMethods.Check(op(pointers, pointers.Length, dim, out TensorHandle result));
            return new Tensor(result);
        }
        finally
        {
            for (int i = 0; i < held; i++)
            {
                tensors[i].Handle.DangerousRelease();
            }
        }
    }

    private Tensor Unary(int op)
    {
        NativeMethods.Check(NativeMethods.cauchy_tensor_unary(Handle, op, out TensorHandle result));
        return new Tensor(result);
    }

    private Tensor CallDim(DimOp op, long dim)
    {
        NativeMethods.Check(op(Handle, dim, out TensorHandle result));
        return new Tensor(result);
    }

    private Tensor Compare(Tensor other, int op)
    {
        ArgumentNullException.ThrowIfNull(other);
        NativeMethods.Check(NativeMethods.cauchy_tensor_compare(Handle, other.Handle, op, out TensorHandle result));
        return new Tensor(result);
    }

    private Tensor Compare(double other, int op)
    {
        NativeMethods.Check(NativeMethods.cauchy_tensor_compare_scalar(Handle, other, op, out TensorHandle result));
        return new Tensor(result);
    }

    internal delegate int ListOp(nint[] tensors, int count, long dim, out TensorHandle result);

    private delegate int DimOp(TensorHandle a, long dim, out TensorHandle result);
}
