using Cauchy.Testing;
using Cauchy.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cauchy.Registry.Tests.Support;

/// <summary>
/// services/registry as a separate process (<see cref="ServiceProcess"/>: the service's own build output, configured
/// only through CAUCHY_ environment variables, SQLite and the local store under a temporary data folder unless the
/// environment says otherwise), with a gRPC client. Ready once a real ListModels call succeeds.
/// </summary>
public sealed class RegistryProcess : IAsyncDisposable
{
    private readonly ServiceProcess _process;

    private RegistryProcess(ServiceProcess process)
    {
        _process = process;
        Channel = GrpcChannel.ForAddress(process.Address.ToString());
        Client = new Models.ModelsClient(Channel);
    }

    public string DataRoot => _process.DataRoot;
    public GrpcChannel Channel { get; }
    public Models.ModelsClient Client { get; }

    /// <summary>The last lines the service wrote, for failure messages.</summary>
    public string RecentLog => string.Join('\n', _process.Output.Split('\n').TakeLast(100));

    public long ResidentBytes() => _process.ResidentBytes();

    public long PeakResidentBytes() => _process.PeakResidentBytes();

    public static async Task<RegistryProcess> StartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        // The registry runs without an orchestrator to check platform tokens, and the tests promote and delete (maintainer).
        var withAuthenticationOff = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { [TestAuthentication.Off.Key] = TestAuthentication.Off.Value };
        var service = new RegistryProcess(await ServiceProcess.StartAsync("registry", "Cauchy.Registry", withAuthenticationOff, startTimeout: TimeSpan.FromSeconds(120)));
        try
        {
            // /healthz answers once the process listens; a real call proves the database and the store are usable too.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    await service.Client.ListModelsAsync(new ListModelsRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
                    return service;
                }
                catch (RpcException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(200);
                }
            }
        }
        catch (Exception e)
        {
            var log = service.RecentLog;
            await service.DisposeAsync();
            throw new InvalidOperationException($"The registry did not serve: {e.Message}\n{log}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _process.DisposeAsync();
    }
}
