using System.Collections.Concurrent;
using Cauchy.Platform.Tests.Infrastructure;
using Cauchy.Platform.Tests.Node;
using Xunit;

namespace Cauchy.Platform.Tests.Platform;

/// <summary>
/// The platform that `make up` starts, shared by the tests of the "Platform" collection: scripts/up.sh runs once
/// before them and scripts/down.sh once after them (also when up.sh or a test failed).
/// </summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    /// <summary>A service name that no Cauchy process serves.</summary>
    public const string UnknownService = "cauchy.v1.NoSuchService";

    private readonly Dictionary<PlatformService, int> _pids = [];
    private readonly ConcurrentDictionary<(string Service, string Version), Lazy<Task<ReflectionProbeResult>>> _reflection = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyDictionary<string, HealthProbeResult>>>> _health = new();

    public ScriptedPlatform Platform { get; } = ScriptedPlatform.CreateOnFreePorts();

    public ProcessResult? UpResult { get; private set; }

    /// <summary>The pid of each service, as its pid file named it right after up.sh.</summary>
    public IReadOnlyDictionary<PlatformService, int> Pids => _pids;

    /// <summary>
    /// One grpc-js reflection session per service and protocol version, shared by the reflection tests (each
    /// session asks everything they check; running node once per test would cost more than the tests themselves).
    /// </summary>
    public Task<ReflectionProbeResult> ReflectAsync(PlatformService service, string version) =>
        _reflection.GetOrAdd(
            (service.Name, version),
            _ => new Lazy<Task<ReflectionProbeResult>>(() => NodeProbe.ReflectAsync(Platform.GrpcAddress(service), version, service.GrpcService)))
        .Value;

    /// <summary>
    /// One grpc-js health probe per service, shared by the health tests: Health/Check of the whole server (""), of
    /// its own cauchy.v1 service, of a name no service has, and of a neighbour's cauchy.v1 service.
    /// </summary>
    public Task<IReadOnlyDictionary<string, HealthProbeResult>> HealthAsync(PlatformService service) =>
        _health.GetOrAdd(
            service.Name,
            _ => new Lazy<Task<IReadOnlyDictionary<string, HealthProbeResult>>>(() => NodeProbe.CheckHealthAsync(
                Platform.GrpcAddress(service), "", service.GrpcService, UnknownService, Neighbour(service).GrpcService)))
        .Value;

    /// <summary>The next service in the list: each process must not vouch for it.</summary>
    public static PlatformService Neighbour(PlatformService service) =>
        PlatformService.All[(PlatformService.All.ToList().IndexOf(service) + 1) % PlatformService.All.Count];

    public async Task InitializeAsync()
    {
        try
        {
            UpResult = await Platform.UpAsync();
            ReadPids();
            if (UpResult.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"scripts/up.sh failed, so no platform test can run.\n{UpResult.Describe()}\n{Platform.LogTails()}");
            }
        }
        catch
        {
            await StopAsync();
            throw;
        }
    }

    public Task DisposeAsync() => StopAsync();

    private void ReadPids()
    {
        foreach (var service in PlatformService.All)
        {
            if (Platform.ReadPid(service) is int pid)
            {
                _pids[service] = pid;
            }
        }
    }

    private async Task StopAsync()
    {
        ReadPids();
        try
        {
            await Platform.DownAsync();
        }
        finally
        {
            ScriptedPlatform.KillLeftovers(_pids);
            Platform.DeleteRunDirectory();
        }
    }
}
