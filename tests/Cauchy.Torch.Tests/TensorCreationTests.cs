using Xunit;

namespace Cauchy.Torch.Tests;

public class TensorCreationTests
{
    [Fact]
    public void Tensor_FromFloats_RoundTripsValuesShapeDtypeAndDevice()
    {
        float[] data = [1.5f, -2f, 3.25f, 0f, 1e-7f, -1e30f];
        using Tensor t = torch.tensor(data, [2, 3]);

        Assert.Equal([2L, 3L], t.shape);
        Assert.Equal(ScalarType.Float32, t.dtype);
        Assert.Equal(new Device(DeviceType.CPU, -1), t.device);
        Assert.Equal("cpu", t.device.ToString());
        Assert.Equal(6, t.numel());
        Assert.Equal(2, t.dim());
        Assert.Equal(data, t.ToArray<float>());
    }

    [Fact]
    public void Tensor_FromEachSupportedDtype_RoundTrips()
    {
        using Tensor f64 = torch.tensor([1.0 / 3.0, -2.5], [2]);
        Assert.Equal(ScalarType.Float64, f64.dtype);
        Assert.Equal([1.0 / 3.0, -2.5], f64.ToArray<double>());

        using Tensor i64 = torch.tensor([long.MaxValue, long.MinValue, 0L], [3, 1]);
        Assert.Equal(ScalarType.Int64, i64.dtype);
        Assert.Equal([3L, 1L], i64.shape);
        Assert.Equal([long.MaxValue, long.MinValue, 0L], i64.ToArray<long>());

        using Tensor u8 = torch.tensor(new byte[] { 0, 127, 255, 3 }, [2, 2]);
        Assert.Equal(ScalarType.Byte, u8.dtype);
        Assert.Equal(new byte[] { 0, 127, 255, 3 }, u8.ToArray<byte>());

        using Tensor flags = torch.tensor([true, false, true], [3]);
        Assert.Equal(ScalarType.Bool, flags.dtype);
        Assert.Equal([true, false, true], flags.ToArray<bool>());
    }

    [Fact]
    public void Tensor_CopiesTheCallersArray()
    {
        float[] data = [1f, 2f];
        using Tensor t = torch.tensor(data);
        data[0] = 99f;

        Assert.Equal([1f, 2f], t.ToArray<float>());
    }

    [Fact]
    public void Tensor_DataThatDoesNotFillTheShape_Throws()
    {
        var error = Assert.Throws<TorchException>(() => torch.tensor([1f, 2f, 3f], [2, 2]));

        Assert.Contains("12 bytes", error.Message);
        Assert.Contains("needs 16", error.Message);
    }

    [Fact]
    public void ToArray_WithTheWrongElementType_Throws()
    {
        using Tensor t = torch.zeros([2]);

        var error = Assert.Throws<TorchException>(() => t.ToArray<double>());
        Assert.Contains("Float32", error.Message);
    }

    [Fact]
    public void Factories_ProduceExpectedValues()
    {
        using Tensor zeros = torch.zeros([2, 2], ScalarType.Float64);
        using Tensor ones = torch.ones([3], torch.int64);
        using Tensor range = torch.arange(0, 5);
        using Tensor steps = torch.arange(0.0, 1.0, 0.25);

        Assert.Equal(new double[4], zeros.ToArray<double>());
        Assert.Equal([1L, 1L, 1L], ones.ToArray<long>());
        Assert.Equal(ScalarType.Int64, range.dtype);
        Assert.Equal([0L, 1L, 2L, 3L, 4L], range.ToArray<long>());
        Assert.Equal(ScalarType.Float32, steps.dtype);
        Assert.Equal([0f, 0.25f, 0.5f, 0.75f], steps.ToArray<float>());
    }

    [Fact]
    public void Randn_WithTheSameSeed_RepeatsAndWithAnotherSeedDiffers()
    {
        torch.manual_seed(123);
        using Tensor first = torch.randn([100]);
        torch.manual_seed(123);
        using Tensor again = torch.randn([100]);
        torch.manual_seed(124);
        using Tensor other = torch.randn([100]);

        Assert.Equal(first.ToArray<float>(), again.ToArray<float>());
        Assert.NotEqual(first.ToArray<float>(), other.ToArray<float>());
        using Tensor mean = first.mean();
        Assert.InRange(mean.item<float>(), -0.5f, 0.5f);
    }

    [Fact]
    public void ReshapeAndView_KeepRowMajorOrder()
    {
        using Tensor t = torch.arange(0, 6);
        using Tensor reshaped = t.reshape(3, 2);
        using Tensor viewed = t.view(2, -1);

        Assert.Equal([3L, 2L], reshaped.shape);
        Assert.Equal([2L, 3L], viewed.shape);
        Assert.Equal([0L, 1L, 2L, 3L, 4L, 5L], viewed.ToArray<long>());
        var error = Assert.Throws<TorchException>(() => t.reshape(4, 2));
        Assert.Contains("[4, 2]", error.Message);
    }

    [Fact]
    public void SetNumThreads_IsReadBack()
    {
        int before = torch.get_num_threads();
        try
        {
            torch.set_num_threads(1);
            Assert.Equal(1, torch.get_num_threads());
            Assert.Throws<TorchException>(() => torch.set_num_threads(0));
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }

    [Fact]
    public void Cuda_AvailabilityAgreesWithDeviceCount()
    {
        // Debian's libtorch is CPU-only (false, 0); a CUDA libtorch on a GPU node must report its devices.
        Assert.Equal(torch.cuda.is_available(), torch.cuda.device_count() > 0);
    }

    [Fact]
    public void Cuda_DeviceProperties_AreReadFromTheDriverOrRefusedWithTheReason()
    {
        if (torch.cuda.is_available())
        {
            CudaDeviceProperties properties = torch.cuda.get_device_properties(0);
            Assert.False(string.IsNullOrWhiteSpace(properties.name));
            Assert.True(properties.total_memory > 0 && properties.major >= 3 && properties.multi_processor_count > 0, properties.ToString());
            Assert.Equal(properties.name, torch.cuda.get_device_name(0));
            (long free, long total) = torch.cuda.mem_get_info(0);
            Assert.Equal(properties.total_memory, total);
            Assert.InRange(free, 1, total);
            torch.cuda.synchronize();
        }
        else
        {
            // No GPU here: each call fails with why (no driver library, or a driver that sees no device), never a crash.
            string properties = Assert.Throws<TorchException>(() => torch.cuda.get_device_properties(0)).Message;
            Assert.True(properties.Contains("libcuda.so.1", StringComparison.Ordinal) || properties.Contains("cuInit", StringComparison.Ordinal) || properties.Contains("out of range", StringComparison.Ordinal), properties);
            string memory = Assert.Throws<TorchException>(() => torch.cuda.mem_get_info(0)).Message;
            Assert.Equal(properties, memory);
            Assert.Contains("CUDA", Assert.Throws<TorchException>(() => torch.cuda.synchronize()).Message, StringComparison.OrdinalIgnoreCase);
        }

        // An index past the devices is refused naming it, whatever the machine.
        string beyond = Assert.Throws<TorchException>(() => torch.cuda.get_device_properties(-1)).Message;
        Assert.True(beyond.Contains("-1", StringComparison.Ordinal) || beyond.Contains("libcuda.so.1", StringComparison.Ordinal), beyond);
        Assert.Contains("-2", Assert.Throws<TorchException>(() => torch.cuda.synchronize(-2)).Message, StringComparison.Ordinal);
    }
}
