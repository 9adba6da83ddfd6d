using System.Diagnostics;
using System.Text;

namespace Cauchy.Testing;

/// <summary>
/// A Cauchy service run as its own process (<c>dotnet services/&lt;folder&gt;/bin/&lt;config&gt;/net10.0/&lt;assembly&gt;.dll</c>),
/// as <c>make up</c> runs it: its own gRPC and HTTP ports below the ephemeral range, its own data folder, settings
/// through CAUCHY_ environment variables, and the test run's service secret (<see cref="TestAuthentication"/>), with
/// authentication on unless the caller turns it off. <see cref="StartAsync"/> returns once /healthz answers. The test
/// project must reference the service's project so that it is built first.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly bool _ownsDataRoot;

    private ServiceProcess(Process process, int grpcPort, int httpPort, string dataRoot, bool ownsDataRoot)
    {
        this._process = process;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
        DataRoot = dataRoot;
        this._ownsDataRoot = ownsDataRoot;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
    }

    public int GrpcPort { get; }

    public int HttpPort { get; }

    public Uri Address => new($"http://127.0.0.1:{GrpcPort}");

    public string DataRoot { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process printed so far (its console log).</summary>
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

    /// <summary>
    /// Starts the service. <paramref name="environment"/> adds or overrides CAUCHY_ settings; a
    /// <paramref name="dataRoot"/> given by the caller survives disposal (for restart tests).
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(
        string serviceFolder,
        string assemblyName,
        IReadOnlyDictionary<string, string>? environment = null,
        string? dataRoot = null,
        int? grpcPort = null,
        TimeSpan? startTimeout = null)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var dll = Path.Combine(RepositoryRoot.Find(), "services", serviceFolder, "bin", configuration, "net10.0", assemblyName + ".dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: reference the service's project from the test project so it is built.");
        }

        var ownsDataRoot = dataRoot is null;
        dataRoot ??= TempDirectory.Create($"cauchy-{serviceFolder}");
        var port = grpcPort ?? FreeServicePort();
        var info = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataRoot,
        };
        info.Environment["CAUCHY_GRPC__PORT"] = port.ToString();
        info.Environment["CAUCHY_HTTP__PORT"] = (port + 1000).ToString();
        info.Environment["CAUCHY_DATA__ROOT"] = dataRoot;
        info.Environment["CAUCHY_LOGGING__CONSOLE__FORMATTERNAME"] = "simple";
        // Every service of a test run shares one service secret, so they can call each other with authentication on;
        // a fixture that turns authentication off says so itself (TestAuthentication.Off).
        info.Environment["CAUCHY_AUTHENTICATION__SERVICESECRET"] = TestAuthentication.ServiceSecret;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var service = new ServiceProcess(process, port, port + 1000, dataRoot, ownsDataRoot);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await service.WaitHealthyAsync(startTimeout ?? TimeSpan.FromSeconds(90));
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }

        return service;
    }

    /// <summary>Peak resident memory of the process so far (VmHWM), in bytes.</summary>
    public long PeakResidentBytes() => ReadStatusKilobytes("VmHWM") * 1024;

    /// <summary>Current resident memory (VmRSS), in bytes.</summary>
    public long ResidentBytes() => ReadStatusKilobytes("VmRSS") * 1024;

    /// <summary>Kills the process at once, as <c>kill -9</c> would (no graceful shutdown).</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        if (_ownsDataRoot)
        {
            TempDirectory.Delete(DataRoot);
        }
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                // Waiting again lets the output readers reach the end, so the message holds the last lines printed.
                await _process.WaitForExitAsync();
                throw new InvalidOperationException($"the service exited with code {_process.ExitCode} during start-up:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{HttpPort}/healthz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"the service did not become healthy within {timeout}:\n{Output}");
    }

    private long ReadStatusKilobytes(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0]);
            }
        }

        throw new InvalidOperationException($"{field} not found in /proc/{_process.Id}/status");
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

    /// <summary>A gRPC port whose +1000 neighbour (the HTTP port) is free too, both below the ephemeral range.</summary>
    public static int FreeServicePort()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(12000, 19000);
            if (FreePort.IsFree(port) && FreePort.IsFree(port + 1000))
            {
                return port;
            }
        }

        throw new InvalidOperationException("no free pair of loopback ports between 12000 and 20000");
    }
}
