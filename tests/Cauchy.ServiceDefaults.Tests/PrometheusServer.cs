using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Cauchy.ServiceDefaults.Tests;

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c>) on a free loopback port, scraping one target every
/// second, with its TSDB in a temporary folder that is deleted afterwards.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _directory;
    private readonly StringBuilder _log;

    private PrometheusServer(Process process, DirectoryInfo directory, StringBuilder log, int port)
    {
        _process = process;
        _directory = directory;
        _log = log;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
    }

    public int Port { get; }

    public HttpClient Http { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<PrometheusServer> StartAsync(string jobName, string target)
    {
        var binary = PromTools.Prometheus;
        var directory = Directory.CreateTempSubdirectory("cauchy-prometheus-");
        var config = Path.Combine(directory.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: {jobName}
                static_configs:
                  - targets: ['{target}']
            """);
        var port = TestPorts.Free();
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList =
            {
                "--config.file=" + config,
                "--storage.tsdb.path=" + Path.Combine(directory.FullName, "data"),
                "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory.FullName,
        };
        var log = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, directory, log, port);
        try
        {
            await server.WaitUntilAsync(async () => (await server.Http.GetAsync("-/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(20), "Prometheus to become ready");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs an instant PromQL query and returns the <c>data.result</c> array.</summary>
    public async Task<JsonElement> QueryAsync(string promql)
    {
        var json = await Http.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString(promql));
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"query '{promql}' failed: {json}");
        }

        return root.GetProperty("data").GetProperty("result").Clone();
    }

    /// <summary>The value of each series of a vector result, keyed by one of its labels.</summary>
    public async Task<Dictionary<string, double>> QueryByLabelAsync(string promql, string label)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var series in (await QueryAsync(promql)).EnumerateArray())
        {
            var key = series.GetProperty("metric").TryGetProperty(label, out var l) ? l.GetString() ?? string.Empty : string.Empty;
            var text = series.GetProperty("value")[1].GetString()!;
            values[key] = text == "+Inf" ? double.PositiveInfinity : double.Parse(text, CultureInfo.InvariantCulture);
        }

        return values;
    }

    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with code {_process.ExitCode} while waiting for {what}:\n{Log}");
            }

            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or InvalidOperationException or KeyNotFoundException)
            {
                last = exception;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Timed out after {timeout} waiting for {what}. Last error: {last?.Message}\n--- prometheus log ---\n{Log}");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _directory.Delete(recursive: true);
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.AppendLine(line);
        }
    }
}
