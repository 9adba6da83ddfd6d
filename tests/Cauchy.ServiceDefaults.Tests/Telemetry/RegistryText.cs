using System.Text;
using Prometheus;

namespace Cauchy.ServiceDefaults.Tests.Telemetry;

/// <summary>What <c>/metrics</c> would serve for a registry, without a host around it.</summary>
public static class RegistryText
{
    public static async Task<string> ExportAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
