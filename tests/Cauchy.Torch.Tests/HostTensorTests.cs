using System.Runtime.InteropServices;
using Xunit;

namespace Cauchy.Torch.Tests;

public class HostTensorTests
{
    [Fact]
    public void FromArray_SharesTheArraysMemory()
    {
        float[] data = [1, 2, 3, 4, 5, 6];
        using Tensor t = torch.from_array(data, [2, 3]);

        data[4] = 42;

        Assert.Equal([2L, 3L], t.shape);
        Assert.Equal([1f, 2f, 3f, 4f, 42f, 6f], t.ToArray<float>());
    }

    [Fact]
    public void FromNativeMemory_ReleasesOnceWhenTheLastViewIsGone()
    {
        nint memory = Marshal.AllocHGlobal(4 * sizeof(long));
        Marshal.Copy(new long[] { 9, 9, 9, 9 }, 0, memory, 4);
        int releases = 0;
        Tensor whole = torch.from_native_memory(memory, 4 * sizeof(long), [4], ScalarType.Int64, p =>
        {
            Interlocked.Increment(ref releases);
            Marshal.FreeHGlobal(p);
        });
        Tensor view = whole.narrow(0, 1, 2);

        whole.Dispose();
        Assert.Equal(0, Volatile.Read(ref releases));
        Assert.Equal([9L, 9L], view.ToArray<long>());

        view.Dispose();
        Assert.Equal(1, Volatile.Read(ref releases));
    }

    [Fact]
    public void FromNativeMemory_WithAWrongSize_ThrowsAndStillReleases()
    {
        nint memory = Marshal.AllocHGlobal(12);
        int releases = 0;

        var error = Assert.Throws<TorchException>(() => torch.from_native_memory(memory, 12, [4], ScalarType.Float64, p =>
        {
            releases++;
            Marshal.FreeHGlobal(p);
        }));

        Assert.Contains("needs 32", error.Message);
        Assert.Equal(1, releases);
    }

    [Fact]
    public void FromArray_ArrayIsUnpinnedAfterDispose_AndSurvivesGcMeanwhile()
    {
        WeakReference reference = Create(out Tensor t);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.True(reference.IsAlive, "the pinned array must stay alive while the tensor views it");
        Assert.Equal([0L, 1L, 2L], t.ToArray<long>());

        t.Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(reference.IsAlive, "the array should be unpinned and collectable once the tensor is gone");
    }

    [Fact]
    public void RngState_RestoredState_RepeatsTheSameSamples()
    {
        torch.manual_seed(11);
        using Tensor state = torch.get_rng_state();
        using Tensor first = torch.randn([8]);

        using Tensor other = torch.randn([8]);
        torch.set_rng_state(state);
        using Tensor again = torch.randn([8]);

        Assert.Equal(ScalarType.Byte, state.dtype);
        Assert.Equal(first.ToArray<float>(), again.ToArray<float>());
        Assert.NotEqual(first.ToArray<float>(), other.ToArray<float>());
    }

    [Fact]
    public void SetRngState_WithAWrongTensor_Throws()
    {
        using Tensor bad = torch.zeros([3]);
        var error = Assert.Throws<TorchException>(() => torch.set_rng_state(bad));
        Assert.Contains("1-D uint8", error.Message);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference Create(out Tensor tensor)
    {
        long[] data = [0, 1, 2];
        tensor = torch.from_array(data);
        return new WeakReference(data);
    }
}
