using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Cauchy.Testing;

namespace Cauchy.EndToEnd.Tests;

/// <summary>
/// A real Prometheus (Debian's <c>prometheus</c>, /usr/bin/prometheus) on a free loopback port, scraping the given
/// targets every second, its TSDB in a temporary folder removed on dispose.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus";

    private readonly Process process;
    private readonly string folder;
    private readonly StringBuilder log = new();

    private PrometheusServer(Process process, string folder, int port)
    {
        this.process = process;
        this.folder = folder;
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
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    /// <summary>Starts Prometheus with one scrape job per entry of <paramref name="targets"/> (job name → host:port).</summary>
    public static async Task<PrometheusServer> StartAsync(IReadOnlyDictionary<string, string> targets)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: install the Debian package prometheus (make deps).");
        }

        string folder = TempDirectory.Create("cauchy-e2e-prometheus");
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
        var start = new ProcessStartInfo(Binary)
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
        server.process.BeginOutputReadLine();
        server.process.BeginErrorReadLine();
        try
        {
            await Wait.UntilAsync(async () => (await server.Http.GetAsync("-/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(60),
                () => $"Prometheus to become ready on port {port}\n{server.Log}", server.ThrowIfExited);
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

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
        TempDirectory.Delete(folder);
    }

    private void ThrowIfExited()
    {
        if (process.HasExited)
        {
            throw new InvalidOperationException($"prometheus exited with code {process.ExitCode}:\n{Log}");
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

        lock (log)
        {
            log.AppendLine(line);
        }
    }
}
