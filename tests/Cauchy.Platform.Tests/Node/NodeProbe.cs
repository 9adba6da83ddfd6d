using System.Text.Json;
using Cauchy.Platform.Tests.Infrastructure;

namespace Cauchy.Platform.Tests.Node;

/// <summary>
/// Runs node/platform-probe.js: a health check or a reflection session with @grpc/grpc-js, an implementation
/// independent of ours, the way generic gRPC tools talk to a service.
/// </summary>
public static class NodeProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>Health/Check for each service name in turn, on one grpc-js channel.</summary>
    public static async Task<IReadOnlyDictionary<string, HealthProbeResult>> CheckHealthAsync(string address, params string[] services)
    {
        var probe = await RunAsync<HealthProbeResults>(["health", "--address", address, .. services.SelectMany(s => new[] { "--service", s })]);
        return probe.Results.ToDictionary(r => r.Service);
    }

    public static async Task<ReflectionProbeResult> ReflectAsync(string address, string version, string symbol) =>
        await RunAsync<ReflectionProbeResult>(["reflect", "--address", address, "--version", version, "--symbol", symbol]);

    private static async Task<T> RunAsync<T>(IReadOnlyList<string> arguments)
    {
        RepositoryLayout.RequireNodeModules();
        ProcessResult result;
        try
        {
            result = await ProcessRunner.RunAsync("node", [RepositoryLayout.NodeProbeScript, .. arguments], Timeout);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"node could not be started ({e.Message}): run make deps", e);
        }

        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"the grpc-js probe failed (3 = run make deps)\n{result.Describe()}");
        }

        var line = result.StandardOutput.Trim();
        return JsonSerializer.Deserialize<T>(line, Json)
            ?? throw new InvalidOperationException($"the grpc-js probe printed no result\n{result.Describe()}");
    }
}
