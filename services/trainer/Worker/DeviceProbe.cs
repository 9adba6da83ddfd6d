using System.Globalization;
using Cauchy.Torch;
using Cauchy.V1;
using Microsoft.Extensions.Options;

namespace Cauchy.Trainer.Worker;

/// <summary>
/// What this worker offers: the training device chosen from Trainer:Device, its name and memory. CPU facts come from
/// /proc; GPU names and memory from nvidia-smi (the driver's own tool, present wherever the NVIDIA runtime is), since
/// libtorch's device properties are not bound yet.
/// </summary>
public sealed class DeviceProbe
{
    private readonly string _cpuName;

    public DeviceProbe(IOptions<WorkerOptions> options)
    {
        bool cuda = options.Value.Device switch
        {
            "cpu" => false,
            "cuda" => torch.cuda.is_available()
                ? true
                : throw new InvalidOperationException("Trainer:Device is cuda, but libtorch sees no CUDA device (CPU-only libtorch, or no driver)"),
            _ => torch.cuda.is_available(),
        };
        Device = cuda ? new Device(DeviceType.CUDA, 0) : new Device(DeviceType.CPU, -1);
        GpuCount = cuda ? torch.cuda.device_count() : 0;
        _cpuName = ReadCpuName();
    }

    /// <summary>The device models train on (the first GPU when on CUDA).</summary>
    public Device Device { get; }

    public int GpuCount { get; }

    public bool IsCuda => GpuCount > 0;

    /// <summary>The device as the orchestrator and GetStatus see it, with memory measured now.</summary>
    public DeviceInfo Describe()
    {
        (long hostTotal, long hostAvailable) = ReadHostMemory();
        var info = new DeviceInfo
        {
            Kind = IsCuda ? DeviceKind.Cuda : DeviceKind.Cpu,
            GpuCount = GpuCount,
            HostMemoryTotalBytes = hostTotal,
            RuntimeVersion = IsCuda ? "libtorch (CUDA)" : "libtorch (CPU)",
        };
        if (IsCuda)
        {
            info.Gpus.AddRange(ReadGpus());
            info.Name = info.Gpus.FirstOrDefault()?.Name ?? "CUDA device";
            info.MemoryTotalBytes = info.Gpus.Sum(g => g.MemoryTotalBytes);
            info.MemoryUsedBytes = info.Gpus.Sum(g => g.MemoryUsedBytes);
        }
        else
        {
            info.Name = _cpuName;
            info.MemoryTotalBytes = hostTotal;
            info.MemoryUsedBytes = hostTotal - hostAvailable;
        }

        return info;
    }

    private static string ReadCpuName()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            string name = line?[(line.IndexOf(':') + 1)..].Trim() ?? "CPU";
            return $"{name} ({Environment.ProcessorCount} cores)";
        }
        catch (IOException)
        {
            return $"CPU ({Environment.ProcessorCount} cores)";
        }
    }

    private static (long Total, long Available) ReadHostMemory()
    {
        try
        {
            long total = 0, available = 0;
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                {
                    total = Kilobytes(line);
                }
                else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    available = Kilobytes(line);
                }
            }

            return (total, available);
        }
        catch (IOException)
        {
            long total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            return (total, total);
        }

        static long Kilobytes(string line) =>
            long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    // From the CUDA driver through the binding (the devices libtorch sees, in its numbering, CUDA_VISIBLE_DEVICES
    // applied), not from nvidia-smi, which a container may lack and which numbers the host's GPUs.
    private List<GpuDevice> ReadGpus()
    {
        var gpus = new List<GpuDevice>();
        try
        {
            for (int index = 0; index < GpuCount; index++)
            {
                CudaDeviceProperties properties = torch.cuda.get_device_properties(index);
                (long free, long total) = torch.cuda.mem_get_info(index);
                gpus.Add(new GpuDevice
                {
                    Index = index,
                    Name = properties.name,
                    MemoryTotalBytes = total,
                    MemoryUsedBytes = total - free,
                });
            }
        }
        catch (TorchException)
        {
            // The driver refused (it saw no device after all): the GPU count from libtorch still holds, names and
            // memory stay unknown.
        }

        return gpus;
    }
}
