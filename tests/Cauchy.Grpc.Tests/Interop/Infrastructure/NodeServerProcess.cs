using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Cauchy.Grpc.Tests.Interop.Infrastructure;

/// <summary>
/// tests/interop-node/server.js in a child process: a grpc-js server (or, with
/// <c>--compression gzip</c>, the minimal gzip responder). It prints <c>LISTENING &lt;port&gt;</c>
/// first and exits when its stdin closes, so a test host that dies takes it along.
/// </summary>
internal sealed class NodeServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _standardError;

    private NodeServerProcess(Process process, StringBuilder standardError, int port)
    {
        _process = process;
        _standardError = standardError;
        Port = port;
    }

    public int Port { get; }

    /// <summary>host:port, as grpc-js and client.js take it.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>The address our GrpcChannel takes.</summary>
    public string HttpAddress => $"http://127.0.0.1:{Port}";

    public string StandardError
    {
        get
        {
            lock (_standardError)
            {
                return _standardError.ToString();
            }
        }
    }

    public static async Task<NodeServerProcess> StartAsync(params string[] arguments)
    {
        RepositoryLayout.RequireNodeModules();
        var startInfo = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryLayout.InteropNodeDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add("server.js");
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        startInfo.ArgumentList.Add("--exit-with-stdin");

        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("Cannot run `node` (Node.js 20 is needed for the grpc-js interop tests; `make deps` installs it).", e);
        }

        var standardError = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (standardError)
                {
                    standardError.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();

        string? firstLine;
        try
        {
            firstLine = await process.StandardOutput.ReadLineAsync().WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            firstLine = null;
        }
        if (firstLine is null || !firstLine.StartsWith("LISTENING ", StringComparison.Ordinal) ||
            !int.TryParse(firstLine.AsSpan("LISTENING ".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            var exited = process.HasExited;
            if (!exited)
            {
                process.Kill(entireProcessTree: true);
            }
            await process.WaitForExitAsync();
            string error;
            lock (standardError)
            {
                error = standardError.ToString();
            }
            throw new InvalidOperationException(
                $"node server.js {string.Join(' ', arguments)} did not print 'LISTENING <port>' (first line: {firstLine ?? "none"}, exited: {exited}). stderr:\n{error}");
        }
        // Keep draining stdout so the child never blocks on a full pipe.
        _ = process.StandardOutput.ReadToEndAsync();
        return new NodeServerProcess(process, standardError, port);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await _process.WaitForExitAsync(exited.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}
