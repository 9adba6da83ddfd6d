using Xunit;

namespace Cauchy.Torch.Tests;

public class ErrorTests
{
    [Fact]
    public void Add_WithMismatchedShapes_RaisesTorchExceptionNamingBothSizes()
    {
        using Tensor a = torch.zeros([2, 3]);
        using Tensor b = torch.zeros([2, 4]);

        var error = Assert.Throws<TorchException>(() => a + b);

        Assert.Contains("(3)", error.Message);
        Assert.Contains("(4)", error.Message);
        Assert.Equal(1, error.Status);
        // libtorch's C++ backtrace stays out of the message a user reads.
        Assert.DoesNotContain("frame #", error.Message);
    }

    [Fact]
    public void Matmul_WithMismatchedShapes_RaisesTorchExceptionNamingBothShapes()
    {
        using Tensor a = torch.zeros([2, 3]);
        using Tensor b = torch.zeros([4, 5]);

        var error = Assert.Throws<TorchException>(() => a.matmul(b));

        Assert.Contains("2x3", error.Message);
        Assert.Contains("4x5", error.Message);
    }

    [Fact]
    public void Item_OfAWrongDtypeOrSeveralElements_RaisesArgumentErrors()
    {
        using Tensor floats = torch.ones([1]);
        using Tensor pair = torch.ones([2]);

        var dtype = Assert.Throws<TorchException>(() => floats.item<long>());
        var size = Assert.Throws<TorchException>(() => pair.item<float>());

        Assert.Equal(3, dtype.Status);
        Assert.Contains("Long", dtype.Message);
        Assert.Contains("Float", dtype.Message);
        Assert.Equal(3, size.Status);
        Assert.Contains("one element, this one has 2", size.Message);
        Assert.Equal(1f, floats.item<float>());
    }

    [Fact]
    public void AfterManyNativeErrors_TheProcessKeepsWorking()
    {
        using Tensor a = torch.zeros([2, 3]);
        using Tensor b = torch.zeros([5]);
        // 200, not more: every c10::Error symbolizes a C++ backtrace, a few milliseconds each.
        for (int i = 0; i < 200; i++)
        {
            Assert.Throws<TorchException>(() => a * b);
        }

        using Tensor ok = torch.ones([2, 3]) + a;
        Assert.Equal(Enumerable.Repeat(1f, 6).ToArray(), ok.ToArray<float>());
    }

    [Fact]
    public void ErrorMessages_AreKeptPerThread()
    {
        using Tensor a = torch.zeros([2, 3]);
        using Tensor b = torch.zeros([4, 5]);
        string? fromOtherThread = null;

        var worker = new Thread(() =>
        {
            using Tensor c = torch.zeros([7]);
            using Tensor d = torch.zeros([8]);
            try
            {
                using Tensor never = c + d;
            }
            catch (TorchException e)
            {
                fromOtherThread = e.Message;
            }
        });
        var error = Assert.Throws<TorchException>(() => a.matmul(b));
        worker.Start();
        worker.Join();

        Assert.Contains("2x3", error.Message);
        Assert.NotNull(fromOtherThread);
        Assert.Contains("(7)", fromOtherThread);
    }

    [Fact]
    public void UsingADisposedTensor_ThrowsObjectDisposed()
    {
        Tensor t = torch.zeros([1]);
        t.Dispose();

        Assert.True(t.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => t.shape);
    }
}
