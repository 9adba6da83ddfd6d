using System.Diagnostics;
using System.Globalization;
using Cauchy.Load.Bench;

// make bench-load (see docs/benchmarks.md): the platform as `make up` starts it (on shifted ports, in a run folder of
// its own), a 20 s warm-up, then a steady mix of calls for --seconds (default 180): reads at --reads-per-second,
// tiny training jobs, small imports, watches, log streams and evaluations. Reported: p50/p99 per RPC, every error,
// each service's resident memory at the start and the end of the measured phase, and the summary line
// "load calls_per_s=<x> errors=<n> p99_ms=<y> rss_growth_mib=<z>" (p99 over every call but WatchJob, which lasts its
// deadline by design).
LoadSettings settings = LoadSettings.Parse(args);
string run = Guid.NewGuid().ToString("N")[..8];
await using var platform = new ScriptedPlatform(FindRoot(), settings.PortOffset, settings.Configuration);
Console.WriteLine($"load: starting the platform (scripts/up.sh {settings.Configuration}, port offset {settings.PortOffset})");
await platform.StartAsync();
var book = new LatencyBook();
var mix = new LoadMix(platform, book, run);
await mix.PrepareAsync();
Console.WriteLine("load: warming up for 20 s");
using (var warmUp = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
{
    await mix.RunAsync(settings.ReadsPerSecond, warmUp.Token);
}

Dictionary<string, long> rssStart = platform.ResidentBytes();
book.Recording = true;
Console.WriteLine($"load: measuring for {settings.Seconds} s at {settings.ReadsPerSecond} reads/s plus the mix");
var clock = Stopwatch.StartNew();
using (var measured = new CancellationTokenSource(TimeSpan.FromSeconds(settings.Seconds)))
{
    await mix.RunAsync(settings.ReadsPerSecond, measured.Token);
}

double seconds = clock.Elapsed.TotalSeconds;
Dictionary<string, long> rssEnd = platform.ResidentBytes();

Console.WriteLine();
Console.WriteLine($"{"rpc",-22} {"calls",7} {"p50_ms",9} {"p99_ms",9}");
foreach (string rpc in book.Rpcs)
{
    var latencies = book.LatenciesOf(rpc);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rpc,-22} {latencies.Count,7} {LatencyBook.Percentile(latencies, 0.5),9:F1} {LatencyBook.Percentile(latencies, 0.99),9:F1}"));
}

Console.WriteLine();
Console.WriteLine($"{"service",-13} {"rss_start_mib",14} {"rss_end_mib",12}");
foreach (var (service, _) in ScriptedPlatform.Services)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{service,-13} {rssStart[service] / 1048576.0,14:F1} {rssEnd[service] / 1048576.0,12:F1}"));
}

foreach (var (error, count) in book.Errors.OrderBy(e => e.Key, StringComparer.Ordinal))
{
    Console.WriteLine($"error: {error} x{count}");
}

double growth = rssEnd.Sum(s => s.Value - rssStart[s.Key]) / 1048576.0;
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"load calls_per_s={book.Calls / seconds:F1} errors={book.ErrorCount} p99_ms={LatencyBook.Percentile(book.AllBut("WatchJob"), 0.99):F1} rss_growth_mib={growth:F1}"));
return 0;

static string FindRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "cauchy-k8s.sln")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException("run the bench from inside the repository (no cauchy-k8s.sln above it)");
}
