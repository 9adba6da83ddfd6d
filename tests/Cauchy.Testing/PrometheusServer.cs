using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Cauchy.Testing;

/// <summary>
/// A real Prometheus (Debian's <c>prometheus</c>) on a free loopback port, scraping the given targets every second,
/// its TSDB in a temporary folder removed on dispose. A missing binary fails the test with how to install it.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly StringBuilder _log = new();

    private PrometheusServer(Process process, string folder, int port)
    {
        this._process = process;
        this._folder = folder;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
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

    /// <summary>The prometheus binary on PATH or in /usr/bin.</summary>
    public static string Binary =>
        InstalledTool.Find("prometheus", "Run `make deps`: it installs the Debian package 'prometheus'.");

    /// <summary>Starts Prometheus with one scrape job, <paramref name="jobName"/>, scraping <paramref name="target"/> (host:port).</summary>
    public static Task<PrometheusServer> StartAsync(string jobName, string target) =>
        StartAsync(new Dictionary<string, string> { [jobName] = target });

    /// <summary>Starts Prometheus with one scrape job per entry of <paramref name="targets"/> (job name → host:port).</summary>
    public static async Task<PrometheusServer> StartAsync(IReadOnlyDictionary<string, string> targets)
    {
        string binary = Binary;
        string folder = TempDirectory.Create("cauchy-prometheus");
        var config = new StringBuilder("""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:

            """);
        foreach (var (job, target) in targets)
        {
            config.Append(CultureInfo.InvariantCulture, $"  - job_name: {job}\n    static_configs:\n      - targets: ['{target}']\n");
        }

        string configFile = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(configFile, config.ToString());
        int port = FreePort.OutsideEphemeralRange();
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList =
            {
                "--config.file=" + configFile,
                "--storage.tsdb.path=" + Path.Combine(folder, "data"),
                "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        var server = new PrometheusServer(Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start"), folder, port);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilAsync(async () => (await server.Http.GetAsync("-/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(60),
                $"Prometheus to become ready on port {port}");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The health of each scrape target as Prometheus sees it (job name → "up", "down" or "unknown").</summary>
    public async Task<Dictionary<string, string>> TargetHealthAsync()
    {
        using JsonDocument document = await GetAsync("api/v1/targets?state=active");
        return document.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
            .ToDictionary(t => t.GetProperty("labels").GetProperty("job").GetString()!, t => t.GetProperty("health").GetString()!);
    }

    /// <summary>
    /// A range query (/api/v1/query_range): for each series of the result, its labels and its (time, value) points.
    /// </summary>
    public async Task<List<(Dictionary<string, string> Labels, List<(double Time, double Value)> Points)>> QueryRangeAsync(
        string promql, DateTimeOffset start, DateTimeOffset end, TimeSpan step)
    {
        string query = string.Create(CultureInfo.InvariantCulture,
            $"api/v1/query_range?query={Uri.EscapeDataString(promql)}&start={start.ToUnixTimeMilliseconds() / 1000.0}&end={end.ToUnixTimeMilliseconds() / 1000.0}&step={step.TotalSeconds}");
        using JsonDocument document = await GetAsync(query);
        var result = new List<(Dictionary<string, string>, List<(double, double)>)>();
        foreach (JsonElement series in document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
            var points = series.GetProperty("values").EnumerateArray()
                .Select(v => (v[0].GetDouble(), double.Parse(v[1].GetString()!, CultureInfo.InvariantCulture)))
                .ToList();
            result.Add((labels, points));
        }

        return result;
    }

    /// <summary>Runs an instant PromQL query and returns the <c>data.result</c> array.</summary>
    public async Task<JsonElement> QueryAsync(string promql)
    {
        using JsonDocument document = await GetAsync("api/v1/query?query=" + Uri.EscapeDataString(promql));
        return document.RootElement.GetProperty("data").GetProperty("result").Clone();
    }

    /// <summary>The value of each series of an instant vector result, keyed by one of its labels.</summary>
    public async Task<Dictionary<string, double>> QueryByLabelAsync(string promql, string label)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (JsonElement series in (await QueryAsync(promql)).EnumerateArray())
        {
            string key = series.GetProperty("metric").TryGetProperty(label, out JsonElement l) ? l.GetString() ?? string.Empty : string.Empty;
            string text = series.GetProperty("value")[1].GetString()!;
            values[key] = text == "+Inf" ? double.PositiveInfinity : double.Parse(text, CultureInfo.InvariantCulture);
        }

        return values;
    }

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds; a failed request counts as "not yet". Throws naming
    /// <paramref name="what"/>, with Prometheus's log, after <paramref name="timeout"/> or when Prometheus exits.
    /// </summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < timeout)
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

        throw new TimeoutException($"timed out after {timeout.TotalSeconds:F0} s waiting for {what}; last error: {last?.Message}\n--- prometheus log ---\n{Log}");
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
        TempDirectory.Delete(_folder);
    }

    private void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"prometheus exited with code {_process.ExitCode}:\n{Log}");
        }
    }

    private async Task<JsonDocument> GetAsync(string pathAndQuery)
    {
        ThrowIfExited();
        string json = await Http.GetStringAsync(pathAndQuery);
        var document = JsonDocument.Parse(json);
        if (document.RootElement.GetProperty("status").GetString() != "success")
        {
            document.Dispose();
            throw new InvalidOperationException($"Prometheus refused {pathAndQuery}: {json}");
        }

        return document;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
