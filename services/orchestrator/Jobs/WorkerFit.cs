using Cauchy.V1;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>What a worker offers, in the terms of the jobs table's requirement columns.</summary>
public sealed record WorkerFit(int Gpus, long HostMemoryBytes, long GpuMemoryBytes, List<string> Architectures)
{
    public static WorkerFit Of(DeviceInfo device, IReadOnlyCollection<string> architectures)
    {
        var gpus = device.Kind == DeviceKind.Cuda ? Math.Max(device.GpuCount, device.Gpus.Count) : 0;
        var host = device.HostMemoryTotalBytes > 0 ? device.HostMemoryTotalBytes : device.Kind == DeviceKind.Cpu ? device.MemoryTotalBytes : 0;
        var perGpu = device.Gpus.Count > 0 ? device.Gpus.Min(g => g.MemoryTotalBytes) : gpus > 0 ? device.MemoryTotalBytes / gpus : 0;
        return new WorkerFit(gpus, host, perGpu, architectures.Where(a => a.Length > 0).Distinct().ToList());
    }
}
