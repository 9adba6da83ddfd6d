using System.Diagnostics;
using System.Globalization;
using Cauchy.Testing;
using Cauchy.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cauchy.Registry.Tests.Support;

/// <summary>
/// services/registry as a separate process (`dotnet Cauchy.Registry.dll`, the service's own build output), configured
/// only through CAUCHY_ environment variables: free ports on loopback, a temporary data folder (SQLite file and local
/// object store by default). Ready once a real ListModels call succeeds.
/// </summary>
public sealed class RegistryProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _log = new();

    private RegistryProcess(Process process, string dataRoot, int grpcPort)
    {
        _process = process;
        DataRoot = dataRoot;
        Address = $"http://127.0.0.1:{grpcPort}";
        Channel = GrpcChannel.ForAddress(Address);
        Client = new Models.ModelsClient(Channel);
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string DataRoot { get; }
    public string Address { get; }
    public GrpcChannel Channel { get; }
    public Models.ModelsClient Client { get; }
    public int ProcessId => _process.Id;

    /// <summary>The last lines the service wrote, for failure messages.</summary>
    public string RecentLog
    {
        get
        {
            lock (_log)
            {
                return string.Join('\n', _log);
            }
        }
    }

    public static async Task<RegistryProcess> StartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(RepositoryRoot.Find(), "services", "registry", "bin", BuildConfiguration(), "net10.0", "Cauchy.Registry.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build tests/Cauchy.Registry.Tests (it builds the service).");
        }
        var dataRoot = TempDirectory.Create("cauchy-registry-service");
        var grpcPort = FreePort.OutsideEphemeralRange();
        var httpPort = FreePort.OutsideEphemeralRange();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataRoot,
        };
        start.ArgumentList.Add(dll);
        start.Environment["CAUCHY_GRPC__PORT"] = grpcPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["CAUCHY_HTTP__PORT"] = httpPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["CAUCHY_DATA__ROOT"] = dataRoot;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var service = new RegistryProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start."), dataRoot, grpcPort);
        try
        {
            await service.WaitUntilServingAsync();
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
        return service;
    }

    /// <summary>A field of /proc/&lt;pid&gt;/status in bytes (VmRSS: resident now, VmHWM: the peak so far).</summary>
    public long MemoryBytes(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var kib = line[(field.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
            }
        }
        throw new InvalidOperationException($"/proc/{_process.Id}/status has no {field}.");
    }

    private async Task WaitUntilServingAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The registry exited with code {_process.ExitCode} before serving:\n{RecentLog}");
            }
            try
            {
                await Client.ListModelsAsync(new ListModelsRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
                return;
            }
            catch (RpcException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
            catch (RpcException e)
            {
                throw new InvalidOperationException($"The registry did not serve within 120 s ({e.Status}):\n{RecentLog}", e);
            }
        }
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.Enqueue(line);
            while (_log.Count > 200)
            {
                _log.Dequeue();
            }
        }
    }

    /// <summary>bin/&lt;Config&gt;/net10.0 of the test assembly: the service is started from the same configuration.</summary>
    private static string BuildConfiguration()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return framework.Parent?.Name ?? throw new InvalidOperationException($"Cannot tell the build configuration from {AppContext.BaseDirectory}.");
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
        }
        _process.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TempDirectory.Delete(DataRoot);
    }
}
