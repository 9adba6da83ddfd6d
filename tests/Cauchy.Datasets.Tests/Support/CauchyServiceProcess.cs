using System.Text;
using Cauchy.Testing;
using Cauchy.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cauchy.Datasets.Tests.Support;

/// <summary>
/// A Cauchy service (datasets, or the registry for lineage tests) as its own process, through
/// <see cref="ServiceProcess"/>: configured by CAUCHY_ environment variables, on a free port, with a data folder that
/// survives restarts (kill, then start again) until disposed. Ready once a real gRPC call succeeds.
/// </summary>
public sealed class CauchyServiceProcess : IAsyncDisposable
{
    private readonly StringBuilder _earlierOutput = new();
    private readonly Dictionary<string, string> _environment;
    private readonly string _service;
    private ServiceProcess? _process;

    /// <param name="service">The folder under services/ whose Cauchy.&lt;Name&gt;.dll to run: "datasets", or "registry" for lineage tests.</param>
    public CauchyServiceProcess(IReadOnlyDictionary<string, string>? extraEnvironment = null, string service = "datasets")
    {
        _service = service;
        DataRoot = TempDirectory.Create("cauchy-datasets-service");
        Port = ServiceProcess.FreeServicePort();
        _environment = new Dictionary<string, string>
        {
            ["CAUCHY_STORAGE__LOCAL__ROOT"] = ObjectsRoot,
            ["CAUCHY_DATASETS__ALLOWEDFILEROOTS__0"] = Path.Combine(DataRoot, "incoming"),
            ["CAUCHY_RESILIENCE__DEFAULTDEADLINESECONDS"] = "10",
            // The service runs without an orchestrator to check platform tokens, and the tests delete (maintainer).
            [TestAuthentication.Off.Key] = TestAuthentication.Off.Value,
        };
        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string>())
        {
            _environment[key] = value;
        }
        Directory.CreateDirectory(Path.Combine(DataRoot, "incoming"));
    }

    public int Port { get; }

    public string DataRoot { get; }

    public string ObjectsRoot => Path.Combine(DataRoot, "objects");

    /// <summary>Everything the service printed, over every start.</summary>
    public string Output => _earlierOutput + (_process?.Output ?? "");

    public GrpcChannel CreateChannel() => GrpcChannel.ForAddress($"http://127.0.0.1:{Port}");

    /// <summary>Starts the process and waits (up to 90 s) until a real call answers (datasets: ListDatasets).</summary>
    public async Task StartAsync()
    {
        var assembly = "Cauchy." + char.ToUpperInvariant(_service[0]) + _service[1..];
        _process = await ServiceProcess.StartAsync(_service, assembly, _environment, DataRoot, Port);

        using var channel = CreateChannel();
        Func<DateTime, Task> probe = _service == "datasets"
            ? async deadline => await new Cauchy.V1.Datasets.DatasetsClient(channel).ListDatasetsAsync(new ListDatasetsRequest(), deadline: deadline)
            : async deadline => await new Models.ModelsClient(channel).ListModelsAsync(new ListModelsRequest(), deadline: deadline);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                await probe(DateTime.UtcNow.AddSeconds(10));
                return;
            }
            catch (RpcException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (RpcException e)
            {
                throw new InvalidOperationException($"the {_service} service did not start: {e.Status}\n{Output}");
            }
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, as when a node dies.</summary>
    public async Task KillAsync()
    {
        if (_process is not null)
        {
            await _process.KillAsync();
            _earlierOutput.Append(_process.Output);
            await _process.DisposeAsync();
            _process = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        TempDirectory.Delete(DataRoot);
    }
}
