using System.Diagnostics;
using System.Text;
using Cauchy.Testing;
using Cauchy.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cauchy.Datasets.Tests.Support;

/// <summary>
/// A Cauchy service (datasets, or the registry for lineage tests) as its own process: <c>dotnet services/&lt;name&gt;/bin/&lt;Config&gt;/net10.0/Cauchy.&lt;Name&gt;.dll</c>
/// (built with this test project), configured by CAUCHY_ environment variables, on a free port, with a data folder
/// that survives restarts until disposed.
/// </summary>
public sealed class CauchyServiceProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Dictionary<string, string> _environment;
    private Process? _process;

    private readonly string _service;

    /// <param name="service">The folder under services/ whose Cauchy.&lt;Name&gt;.dll to run: "datasets", or "registry" for lineage tests.</param>
    public CauchyServiceProcess(IReadOnlyDictionary<string, string>? extraEnvironment = null, string service = "datasets")
    {
        _service = service;
        DataRoot = TempDirectory.Create("cauchy-datasets-service");
        Port = FreePort.OutsideEphemeralRange();
        _environment = new Dictionary<string, string>
        {
            ["CAUCHY_GRPC__PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CAUCHY_HTTP__PORT"] = FreePort.OutsideEphemeralRange().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CAUCHY_DATA__ROOT"] = DataRoot,
            ["CAUCHY_STORAGE__LOCAL__ROOT"] = ObjectsRoot,
            ["CAUCHY_DATASETS__ALLOWEDFILEROOTS__0"] = Path.Combine(DataRoot, "incoming"),
            ["CAUCHY_RESILIENCE__DEFAULTDEADLINESECONDS"] = "10",
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

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public GrpcChannel CreateChannel() => GrpcChannel.ForAddress($"http://127.0.0.1:{Port}");

    public static string ServiceDll(string service = "datasets")
    {
        var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd('/')) ?? "Release");
        var assembly = "Cauchy." + char.ToUpperInvariant(service[0]) + service[1..] + ".dll";
        var path = Path.Combine(RepositoryRoot.Find(), "services", service, "bin", configuration, "net10.0", assembly);
        return File.Exists(path) ? path : throw new FileNotFoundException($"build the {service} service first: {path}");
    }

    /// <summary>Starts the process and waits (up to 90 s) until it answers gRPC health checks (datasets: ListDatasets).</summary>
    public async Task StartAsync()
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(ServiceDll(_service));
        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }
        _process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start the {_service} service");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

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
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        TempDirectory.Delete(DataRoot);
    }
}
