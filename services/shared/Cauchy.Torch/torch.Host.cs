// Lower-case on purpose, like torch.cs.
#pragma warning disable CS8981

using System.Buffers;
using System.Runtime.InteropServices;

namespace Cauchy.Torch;

public static partial class torch
{
    /// <summary>
    /// A CPU tensor that views <paramref name="array"/> without copying: the array is pinned until libtorch frees the
    /// tensor's storage (when this tensor and every view of it are disposed), then unpinned.
    /// Safe when: nothing writes the array while the tensor is in use unless that is intended (both see the same
    /// memory); the array is not returned to a pool or reused until the storage is released; the tensor stays on
    /// the CPU (moving it to CUDA copies). In-place ops on the tensor write into the array.
    /// </summary>
    public static unsafe Tensor from_array<T>(T[] array, long[]? shape = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        shape ??= [array.Length];
        GCHandle pinned = GCHandle.Alloc(array, GCHandleType.Pinned);
        var owner = new HostMemoryOwner(pinned, null, 0);
        return FromOwnedMemory((void*)pinned.AddrOfPinnedObject(), (long)array.Length * sizeof(T), shape, ScalarTypeOf<T>(), owner);
    }

    /// <summary>
    /// A CPU tensor over the first elements of <paramref name="array"/>, which was rented from <paramref name="pool"/>
    /// (rented arrays may be longer than asked for): pinned like <see cref="from_array{T}"/>, and returned to the pool
    /// when libtorch frees the tensor's storage. The caller gives up the array: it must not touch or return it itself.
    /// </summary>
    internal static unsafe Tensor from_pooled_array<T>(T[] array, long[] shape, ArrayPool<T> pool)
        where T : unmanaged
    {
        long numel = 1;
        foreach (long size in shape)
        {
            numel *= size;
        }

        if (numel > array.Length)
        {
            pool.Return(array);
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] needs {numel} elements, the array holds {array.Length}", nameof(shape));
        }

        GCHandle pinned = GCHandle.Alloc(array, GCHandleType.Pinned);
        var owner = new HostMemoryOwner(pinned, _ => pool.Return(array), 0);
        return FromOwnedMemory((void*)pinned.AddrOfPinnedObject(), numel * sizeof(T), shape, ScalarTypeOf<T>(), owner);
    }

    /// <summary>
    /// A CPU tensor over native memory (e.g. from <see cref="NativeMemory.AlignedAlloc"/>) without copying.
    /// <paramref name="release"/> runs exactly once, on whichever thread drops the last reference, when libtorch
    /// frees the storage — or right away if this call throws. Until then the memory must stay valid and
    /// <paramref name="data"/> must not be freed by anyone else. The release callback must not throw.
    /// </summary>
    public static unsafe Tensor from_native_memory(nint data, long nbytes, long[] shape, ScalarType dtype, Action<nint>? release)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var owner = new HostMemoryOwner(default, release, data);
        return FromOwnedMemory((void*)data, nbytes, shape, dtype, owner);
    }

    private static unsafe Tensor FromOwnedMemory(void* data, long nbytes, long[] shape, ScalarType dtype, HostMemoryOwner owner)
    {
        nint context = GCHandle.ToIntPtr(GCHandle.Alloc(owner));
        // From here on the native side owns the context: it calls ReleaseHostMemory exactly once, failure included.
        NativeMethods.Check(NativeMethods.cauchy_vision_from_blob(
            data, nbytes, shape, shape.Length, (int)dtype, &ReleaseHostMemory, context, out TensorHandle result));
        return new Tensor(result);
    }

    [UnmanagedCallersOnly]
    private static void ReleaseHostMemory(nint context)
    {
        GCHandle handle = GCHandle.FromIntPtr(context);
        var owner = (HostMemoryOwner)handle.Target!;
        handle.Free();
        owner.Release();
    }

    // What a zero-copy tensor keeps alive: a pinned array, or native memory with its release callback.
    private sealed class HostMemoryOwner(GCHandle pinned, Action<nint>? release, nint data)
    {
        public void Release()
        {
            if (pinned.IsAllocated)
            {
                pinned.Free();
            }

            try
            {
                release?.Invoke(data);
            }
            catch (Exception)
            {
                // An exception must not unwind into libtorch's deallocator; the callback's contract says it does not throw.
            }
        }
    }
}
