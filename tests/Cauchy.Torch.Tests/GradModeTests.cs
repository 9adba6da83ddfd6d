using Xunit;

namespace Cauchy.Torch.Tests;

public class GradModeTests
{
    [Fact]
    public void NoGrad_StopsRecordingAndRestoresTheMode()
    {
        using Tensor x = torch.ones([2]);
        x.requires_grad = true;

        Tensor recorded;
        using (torch.no_grad())
        {
            Assert.False(torch.is_grad_enabled());
            using Tensor y = x * 2;
            Assert.False(y.requires_grad);
            using (torch.enable_grad())
            {
                recorded = x * 3;
            }

            Assert.False(torch.is_grad_enabled());
        }

        Assert.True(torch.is_grad_enabled());
        Assert.True(recorded.requires_grad);
        recorded.Dispose();
    }

    [Fact]
    public void NoGrad_IsPerThread()
    {
        bool otherThreadEnabled = false;
        using (torch.no_grad())
        {
            var worker = new Thread(() => otherThreadEnabled = torch.is_grad_enabled());
            worker.Start();
            worker.Join();
        }

        Assert.True(otherThreadEnabled);
    }

    [Fact]
    public void Detach_CutsTheGraphAndToConvertsDtype()
    {
        using Tensor x = torch.tensor([1.5f, -2.5f]);
        x.requires_grad = true;
        using Tensor doubled = x * 2;

        using Tensor detached = doubled.detach();
        using Tensor asDouble = detached.to(ScalarType.Float64);
        using Tensor asLong = detached.to(torch.int64);

        Assert.False(detached.requires_grad);
        Assert.Equal([3.0, -5.0], asDouble.ToArray<double>());
        Assert.Equal([3L, -5L], asLong.ToArray<long>());
    }

    [Fact]
    public void ToDevice_CpuIsANoOpAndCudaWithoutCudaRaises()
    {
        using Tensor x = torch.ones([2]);
        using Tensor onCpu = x.to(new Device(DeviceType.CPU, -1));
        Assert.Equal(DeviceType.CPU, onCpu.device.type);

        if (torch.cuda.is_available())
        {
            using Tensor onGpu = x.to(new Device(DeviceType.CUDA, 0));
            Assert.Equal(new Device(DeviceType.CUDA, 0), onGpu.device);
            Assert.Equal([1f, 1f], onGpu.ToArray<float>());
        }
        else
        {
            var error = Assert.Throws<TorchException>(() => x.to(new Device(DeviceType.CUDA, 0)));
            Assert.Contains("CUDA", error.Message);
        }
    }
}
