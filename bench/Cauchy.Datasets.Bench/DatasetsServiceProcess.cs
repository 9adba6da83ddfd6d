using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Cauchy.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cauchy.Datasets.Bench;

/// <summary>The datasets service run from its built dll as a child process on free loopback ports, with a temporary data folder.</summary>
public sealed class DatasetsServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private DatasetsServiceProcess(Process process, int port, string dataRoot)
    {
        _process = process;
        Port = port;
        DataRoot = dataRoot;
    }

    public int Port { get; }

    public string DataRoot { get; }

    public static async Task<DatasetsServiceProcess> StartAsync(string serviceDll, string dataRoot)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(serviceDll);
        info.Environment["CAUCHY_GRPC__PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["CAUCHY_HTTP__PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["CAUCHY_DATA__ROOT"] = dataRoot;
        info.Environment["CAUCHY_STORAGE__LOCAL__ROOT"] = Path.Combine(dataRoot, "objects");
        info.Environment["CAUCHY_DATASETS__CHECKREGISTRYLINEAGE"] = "false";
        info.Environment["CAUCHY_LOGGING__LOGLEVEL__DEFAULT"] = "Warning";
        // The benchmark measures imports and shard reads, not token checks: authentication is off.
        info.Environment["CAUCHY_AUTHENTICATION__MODE"] = "none";
        var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start dotnet {serviceDll}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"[datasets] {e.Data}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var service = new DatasetsServiceProcess(process, port, dataRoot);
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var client = new Cauchy.V1.Datasets.DatasetsClient(channel);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                await client.ListDatasetsAsync(new ListDatasetsRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
                return service;
            }
            catch (RpcException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(200);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
