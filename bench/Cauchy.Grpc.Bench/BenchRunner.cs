using System.Diagnostics;
using System.Globalization;
using Cauchy.Interop.V1;
using Cauchy.ServiceDefaults.GrpcClient;
using Google.Protobuf;
using Grpc.Net.Client;

namespace Cauchy.Grpc.Bench;

/// <summary>
/// Starts our server and a grpc-js server as separate processes on loopback and drives both with the same
/// client (ours), alternating rounds so machine noise hits both alike. Reports medians and, last, the line
/// <c>grpc unary_ratio_vs_grpcjs=&lt;x&gt; stream_MBps=&lt;y&gt;</c>.
/// </summary>
public static class BenchRunner
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var repoRoot = FindRepoRoot();
        var nodeModules = Path.Combine(repoRoot, "tests", "interop-node", "node_modules", "@grpc", "grpc-js");
        if (!Directory.Exists(nodeModules))
        {
            Console.Error.WriteLine("bench: @grpc/grpc-js is not installed; run 'make deps'.");
            return 2;
        }

        Console.WriteLine($"bench: {Environment.ProcessorCount} cores, .NET {Environment.Version}, node {NodeVersion()}, " +
                          $"{options.Callers} unary callers, {options.Seconds} s per measurement, {options.Rounds} rounds");
        // Started as "dotnet Cauchy.Grpc.Bench.dll" the child needs the dll; started as the app host it does not.
        var host = Environment.ProcessPath!;
        string[] serveArguments = Path.GetFileNameWithoutExtension(host) == "dotnet" ? [typeof(BenchRunner).Assembly.Location, "serve"] : ["serve"];
        await using var ours = await ServerProcess.StartAsync("ours", host, serveArguments);
        await using var grpcjs = await ServerProcess.StartAsync("grpc-js", "node", [Path.Combine(repoRoot, "bench", "grpcjs-bench-server.js")]);

        // The channel every Cauchy service uses to reach another (Cauchy.ServiceDefaults), to both servers.
        using var oursChannel = GrpcChannel.ForAddress($"http://127.0.0.1:{ours.Port}", ServiceChannelOptions.Create());
        using var grpcjsChannel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcjs.Port}", ServiceChannelOptions.Create());
        var oursClient = new Echo.EchoClient(oursChannel);
        var grpcjsClient = new Echo.EchoClient(grpcjsChannel);

        // Warm-up: JIT, connections, TCP windows.
        var warm = options with { Seconds = Math.Min(2, options.Seconds) };
        await MeasureUnaryAsync(oursClient, warm);
        await MeasureUnaryAsync(grpcjsClient, warm);
        await MeasureStreamingAsync(oursClient, warm);
        await MeasureStreamingAsync(grpcjsClient, warm);

        var unaryOurs = new List<double>();
        var unaryGrpcjs = new List<double>();
        var streamOurs = new List<double>();
        var streamGrpcjs = new List<double>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            unaryOurs.Add(await MeasureUnaryAsync(oursClient, options));
            unaryGrpcjs.Add(await MeasureUnaryAsync(grpcjsClient, options));
            streamOurs.Add(await MeasureStreamingAsync(oursClient, options));
            streamGrpcjs.Add(await MeasureStreamingAsync(grpcjsClient, options));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round}: unary calls/s ours={unaryOurs[^1]:F0} grpc-js={unaryGrpcjs[^1]:F0}; " +
                $"stream MB/s ours={streamOurs[^1]:F1} grpc-js={streamGrpcjs[^1]:F1}"));
        }

        var ratio = Median(unaryOurs) / Median(unaryGrpcjs);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median: unary calls/s ours={Median(unaryOurs):F0} grpc-js={Median(unaryGrpcjs):F0}; " +
            $"stream MB/s ({options.StreamMessageBytes / 1024} KiB messages, {options.Streams} streams) ours={Median(streamOurs):F1} grpc-js={Median(streamGrpcjs):F1}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"grpc unary_ratio_vs_grpcjs={ratio:F2} stream_MBps={Median(streamOurs):F0}"));
        return 0;
    }

    /// <summary>Unary calls per second with <see cref="BenchOptions.Callers"/> concurrent callers on one channel.</summary>
    private static async Task<double> MeasureUnaryAsync(Echo.EchoClient client, BenchOptions options)
    {
        var request = new EchoRequest { Message = "ping", Payload = ByteString.CopyFrom(new byte[16]) };
        var stop = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(options.Seconds);
        var counts = new long[options.Callers];
        var callers = Enumerable.Range(0, options.Callers).Select(async caller =>
        {
            while (stop.Elapsed < duration)
            {
                var response = await client.UnaryAsync(request);
                if (response.Message != "ping")
                {
                    throw new InvalidOperationException("unexpected response");
                }
                counts[caller]++;
            }
        }).ToArray();
        await Task.WhenAll(callers);
        return counts.Sum() / stop.Elapsed.TotalSeconds;
    }

    /// <summary>Server-streaming payload MB/s (10^6 bytes) over <see cref="BenchOptions.Streams"/> concurrent calls.</summary>
    private static async Task<double> MeasureStreamingAsync(Echo.EchoClient client, BenchOptions options)
    {
        var request = new EchoRequest { ResponseCount = options.StreamMessagesPerCall, ResponseSize = options.StreamMessageBytes };
        var stop = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(options.Seconds);
        var bytes = new long[options.Streams];
        var streams = Enumerable.Range(0, options.Streams).Select(async stream =>
        {
            while (stop.Elapsed < duration)
            {
                using var call = client.ServerStream(request);
                var received = 0;
                while (await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                    bytes[stream] += call.ResponseStream.Current.Payload.Length;
                    received++;
                }
                if (received != options.StreamMessagesPerCall)
                {
                    throw new InvalidOperationException($"expected {options.StreamMessagesPerCall} messages, got {received}");
                }
            }
        }).ToArray();
        await Task.WhenAll(streams);
        return bytes.Sum() / 1e6 / stop.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string NodeVersion()
    {
        try
        {
            using var node = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true })!;
            var version = node.StandardOutput.ReadToEnd().Trim();
            node.WaitForExit();
            return version;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "not found";
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "cauchy-k8s.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("cannot find the repository root (cauchy-k8s.sln) above " + AppContext.BaseDirectory);
    }
}
