// PyTorch's module name is the point: `torch.zeros(...)`, `torch.manual_seed(0)` read as they do in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

/// <summary>Entry point of the binding, named and shaped like PyTorch's <c>torch</c> module.</summary>
public static partial class torch
{
    public const ScalarType uint8 = ScalarType.Byte;
    public const ScalarType int64 = ScalarType.Int64;
    public const ScalarType float32 = ScalarType.Float32;
    public const ScalarType float64 = ScalarType.Float64;
    public const ScalarType @bool = ScalarType.Bool;

    /// <summary>
    /// Whether the native shim raised glibc's mmap and trim thresholds when it loaded, so memory freed by one training
    /// step stays in the process for the next instead of going back to the kernel (and being page-faulted in again).
    /// False with <c>CAUCHY_TORCH_MALLOC_DEFAULTS=1</c> in the environment, or on a C library other than glibc.
    /// </summary>
    public static bool malloc_tuned => NativeMethods.cauchy_malloc_tuned() != 0;

    /// <summary>A tensor holding a copy of <paramref name="data"/> in the given shape (row-major).</summary>
    public static Tensor tensor(float[] data, long[] shape) => FromData(data, shape);

    public static Tensor tensor(double[] data, long[] shape) => FromData(data, shape);

    public static Tensor tensor(long[] data, long[] shape) => FromData(data, shape);

    public static Tensor tensor(byte[] data, long[] shape) => FromData(data, shape);

    public static Tensor tensor(bool[] data, long[] shape) => FromData(data, shape);

    /// <summary>A one-dimensional tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor tensor(float[] data) => FromData(data, [data.Length]);

    public static Tensor tensor(double[] data) => FromData(data, [data.Length]);

    public static Tensor tensor(long[] data) => FromData(data, [data.Length]);

    public static Tensor zeros(long[] size, ScalarType dtype = ScalarType.Float32) =>
        Factory(NativeMethods.cauchy_tensor_zeros, size, dtype);

    public static Tensor ones(long[] size, ScalarType dtype = ScalarType.Float32) =>
        Factory(NativeMethods.cauchy_tensor_ones, size, dtype);

    /// <summary>Standard-normal samples from the global generator that <see cref="manual_seed"/> seeds.</summary>
    public static Tensor randn(long[] size, ScalarType dtype = ScalarType.Float32) =>
        Factory(NativeMethods.cauchy_tensor_randn, size, dtype);

    /// <summary>Integers start, start+step, ... below end, as int64 (PyTorch's dtype for integer arguments).</summary>
    public static Tensor arange(long start, long end, long step = 1) =>
        arange((double)start, end, step, ScalarType.Int64);

    public static Tensor arange(long end) => arange(0, end);

    public static Tensor arange(double start, double end, double step = 1.0, ScalarType dtype = ScalarType.Float32)
    {
        NativeMethods.Check(NativeMethods.cauchy_tensor_arange(start, end, step, (int)dtype, out TensorHandle result));
        return new Tensor(result);
    }

    public static Tensor matmul(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.matmul(b);
    }

    /// <summary>Seeds libtorch's default generators, so randn returns the same values as PyTorch for the same seed.</summary>
    public static void manual_seed(long seed) => NativeMethods.Check(NativeMethods.cauchy_manual_seed(unchecked((ulong)seed)));

    /// <summary>The number of intra-op threads libtorch uses on the CPU.</summary>
    public static void set_num_threads(int threads) => NativeMethods.Check(NativeMethods.cauchy_set_num_threads(threads));

    public static int get_num_threads()
    {
        NativeMethods.Check(NativeMethods.cauchy_get_num_threads(out int threads));
        return threads;
    }

    /// <summary>Turns autograd recording off on this thread until the returned scope is disposed (evaluation, optimizer steps).</summary>
    public static GradModeScope no_grad() => new(enabled: false);

    /// <summary>Turns autograd recording back on inside a no_grad region until the returned scope is disposed.</summary>
    public static GradModeScope enable_grad() => new(enabled: true);

    public static bool is_grad_enabled()
    {
        NativeMethods.Check(NativeMethods.cauchy_is_grad_enabled(out int enabled));
        return enabled != 0;
    }

    /// <summary>Starts a scope that disposes the tensors created in it when it is disposed (use with <c>using</c>).</summary>
    public static DisposeScope NewDisposeScope() => new();

    internal static ScalarType ScalarTypeOf<T>()
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return ScalarType.Float32;
        }

        if (typeof(T) == typeof(double))
        {
            return ScalarType.Float64;
        }

        if (typeof(T) == typeof(long))
        {
            return ScalarType.Int64;
        }

        if (typeof(T) == typeof(byte))
        {
            return ScalarType.Byte;
        }

        if (typeof(T) == typeof(bool))
        {
            return ScalarType.Bool;
        }

        throw new ArgumentException($"no tensor dtype for element type {typeof(T).Name}; use float, double, long, byte or bool");
    }

    private static unsafe Tensor FromData<T>(T[] data, long[] shape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        fixed (T* source = data)
        {
            NativeMethods.Check(NativeMethods.cauchy_tensor_from_data(
                source, (long)data.Length * sizeof(T), shape, shape.Length, (int)ScalarTypeOf<T>(), out TensorHandle result));
            return new Tensor(result);
        }
    }

    private static Tensor Factory(FactoryOp op, long[] size, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(size);
        NativeMethods.Check(op(size, size.Length, (int)dtype, out TensorHandle result));
        return new Tensor(result);
    }

    private delegate int FactoryOp(long[] shape, int ndim, int dtype, out TensorHandle result);
}
