using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Cauchy.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// make bench-orchestrator (see docs/benchmarks.md): the orchestrator as its own process on its embedded SQLite
// database, resolving datasets from a small in-process cauchy.v1.Datasets server. Each round, 20 clients (a channel
// each) submit 10 jobs apiece, one after another; every third submission is sent twice at once with its
// idempotency key, as a retrying client would. Reported per round: SubmitJob latency p50/p99 over every call,
// whether exactly 200 jobs were accepted, and, for comparison in the same run, GetJob latency (a primary-key read)
// from the same 20 clients.
const int Clients = 20;
const int JobsPerClient = 10;
var rounds = args.Length > 0 ? int.Parse(args[0]) : 3;

var root = FindRoot();
var dll = Path.Combine(root, "services", "orchestrator", "bin", "Release", "net10.0", "Cauchy.Orchestrator.dll");
var dataRoot = Directory.CreateTempSubdirectory("cauchy-orchestrator-bench").FullName;
await using var datasets = await StartDatasetsAsync();
var port = FreePort();
var info = new ProcessStartInfo("dotnet", [dll]) { WorkingDirectory = dataRoot, RedirectStandardOutput = true, RedirectStandardError = true };
info.Environment["CAUCHY_GRPC__PORT"] = port.ToString();
info.Environment["CAUCHY_HTTP__PORT"] = (port + 1000).ToString();
info.Environment["CAUCHY_DATA__ROOT"] = dataRoot;
info.Environment["CAUCHY_SERVICES__DATASETS__ADDRESS"] = datasets.Urls.First();
info.Environment["CAUCHY_LOGGING__LOGLEVEL__DEFAULT"] = "Warning";
// The benchmark measures the queue, not token checks: authentication is off (and the service says so at start-up).
info.Environment["CAUCHY_AUTHENTICATION__MODE"] = "none";
using var orchestrator = Process.Start(info)!;
orchestrator.OutputDataReceived += (_, _) => { };
orchestrator.ErrorDataReceived += (_, _) => { };
orchestrator.BeginOutputReadLine();
orchestrator.BeginErrorReadLine();
try
{
    await WaitHealthyAsync(port + 1000);
    var address = $"http://127.0.0.1:{port}";
    Console.WriteLine($"orchestrator pid {orchestrator.Id} on {address}, SQLite under {dataRoot}; {Clients} clients x {JobsPerClient} jobs, {rounds} rounds after a warm-up");
    await RoundAsync(address, "warmup", print: false);
    for (var r = 1; r <= rounds; r++)
    {
        await RoundAsync(address, $"round{r}", print: true);
    }
}
finally
{
    orchestrator.Kill(entireProcessTree: true);
    await orchestrator.WaitForExitAsync();
    Directory.Delete(dataRoot, recursive: true);
}

return 0;

static async Task RoundAsync(string address, string round, bool print)
{
    var run = $"{round}-{Guid.NewGuid():N}"[..24];
    var submit = new List<double>();
    var get = new List<double>();
    var results = await Task.WhenAll(Enumerable.Range(0, Clients).Select(async c =>
    {
        using var channel = GrpcChannel.ForAddress(address);
        var client = new Jobs.JobsClient(channel);
        var latencies = new List<double>();
        var answers = new List<SubmitJobResponse>();
        for (var j = 0; j < JobsPerClient; j++)
        {
            var request = new SubmitJobRequest { Hypes = new HypesDocument { Text = Hypes(j) }, IdempotencyKey = $"{run}-{c}-{j}" };
            var copies = j % 3 == 0 ? 2 : 1;
            answers.AddRange(await Task.WhenAll(Enumerable.Range(0, copies).Select(async _ =>
            {
                var started = Stopwatch.GetTimestamp();
                var answer = await client.SubmitJobAsync(request, deadline: DateTime.UtcNow.AddSeconds(60));
                lock (latencies)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }

                return answer;
            })));
        }

        var reads = new List<double>();
        foreach (var id in answers.Select(a => a.Job.Id).Distinct())
        {
            var started = Stopwatch.GetTimestamp();
            await client.GetJobAsync(new GetJobRequest { JobId = id }, deadline: DateTime.UtcNow.AddSeconds(60));
            reads.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return (Latencies: latencies, Reads: reads, Answers: answers);
    }));
    foreach (var r in results)
    {
        submit.AddRange(r.Latencies);
        get.AddRange(r.Reads);
    }

    var answers = results.SelectMany(r => r.Answers).ToList();
    var jobs = answers.Select(a => a.Job.Id).Distinct().Count();
    var retried = answers.Count(a => a.AlreadyExisted);
    if (jobs != Clients * JobsPerClient || retried != answers.Count - jobs)
    {
        throw new InvalidOperationException($"{round}: {jobs} jobs for {Clients * JobsPerClient} keys, {retried} answers marked already_existed");
    }

    if (print)
    {
        Console.WriteLine($"{round}: SubmitJob calls={submit.Count} jobs={jobs} p50={Percentile(submit, 50):F1} ms p99={Percentile(submit, 99):F1} ms; " +
            $"GetJob calls={get.Count} p50={Percentile(get, 50):F1} ms p99={Percentile(get, 99):F1} ms");
    }
}

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    var rank = (int)Math.Ceiling(p / 100 * sorted.Count) - 1;
    return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
}

static string Hypes(int j) => $$"""
    task_type: classification
    model: { architecture: small_cnn }
    dataset: { dataset_id: fashion }
    hyperparameters: { epochs: {{1 + j}}, batch_size: 64, optimizer: { kind: sgd, learning_rate: 0.05 } }
    """;

static async Task<WebApplication> StartDatasetsAsync()
{
    var builder = WebApplication.CreateBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
    builder.Services.AddGrpc();
    var app = builder.Build();
    app.MapGrpcService<BenchDatasets>();
    await app.StartAsync();
    return app;
}

static async Task WaitHealthyAsync(int httpPort)
{
    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
    for (var deadline = DateTime.UtcNow.AddSeconds(90); DateTime.UtcNow < deadline; await Task.Delay(200))
    {
        try
        {
            if ((await http.GetAsync($"http://127.0.0.1:{httpPort}/healthz")).IsSuccessStatusCode)
            {
                return;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
        }
    }

    throw new TimeoutException("the orchestrator did not become healthy within 90 s");
}

static int FreePort()
{
    for (var attempt = 0; attempt < 200; attempt++)
    {
        var port = Random.Shared.Next(12000, 19000);
        if (IsFree(port) && IsFree(port + 1000))
        {
            return port;
        }
    }

    throw new InvalidOperationException("no free port pair");
}

static bool IsFree(int port)
{
    try
    {
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return true;
    }
    catch (SocketException)
    {
        return false;
    }
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "cauchy-k8s.sln")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("cauchy-k8s.sln not found above " + AppContext.BaseDirectory);
}

/// <summary>The one dataset the bench's jobs train on: "fashion", version "v1", classification.</summary>
internal sealed class BenchDatasets : Datasets.DatasetsBase
{
    public override Task<GetDatasetResponse> GetDataset(GetDatasetRequest request, ServerCallContext context) =>
        Task.FromResult(new GetDatasetResponse { Dataset = new Dataset { Id = request.DatasetId, TaskType = TaskType.Classification, LatestVersionId = "v1" } });

    public override Task<GetDatasetVersionResponse> GetDatasetVersion(GetDatasetVersionRequest request, ServerCallContext context)
    {
        var version = new DatasetVersion { DatasetId = request.DatasetId, VersionId = request.VersionId, TaskType = TaskType.Classification };
        version.SplitCounts.Add(new SplitCount { Split = Split.Train, SampleCount = 60000 });
        return Task.FromResult(new GetDatasetVersionResponse { Version = version });
    }
}
