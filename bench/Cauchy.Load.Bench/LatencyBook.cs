using System.Collections.Concurrent;
using Grpc.Core;

namespace Cauchy.Load.Bench;

/// <summary>Every call's latency by RPC, and the calls that failed, by RPC and status.</summary>
public sealed class LatencyBook
{
    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _latencies = new();

    public ConcurrentDictionary<string, int> Errors { get; } = new();

    public bool Recording { get; set; }

    public int Calls => _latencies.Values.Sum(l => l.Count);

    public int ErrorCount => Errors.Values.Sum();

    public IEnumerable<string> Rpcs => _latencies.Keys.Order(StringComparer.Ordinal);

    public IReadOnlyCollection<double> LatenciesOf(string rpc) => _latencies.TryGetValue(rpc, out var bag) ? bag : [];

    /// <summary>Every latency but those of <paramref name="excluded"/> (calls whose length is their deadline by design).</summary>
    public List<double> AllBut(string excluded) => [.. _latencies.Where(l => l.Key != excluded).SelectMany(l => l.Value)];

    /// <summary>Runs and times one call; a failure is counted, never thrown.</summary>
    public async Task TimeAsync(string rpc, Func<Task> call, Func<RpcException, bool>? isNormalEnd = null)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        bool failed = false;
        string? code = null;
        try
        {
            await call();
        }
        catch (RpcException e) when (isNormalEnd?.Invoke(e) == true)
        {
        }
        catch (RpcException e)
        {
            failed = true;
            code = e.StatusCode.ToString();
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException)
        {
            failed = true;
            code = e.GetType().Name;
        }

        if (!Recording)
        {
            return;
        }

        _latencies.GetOrAdd(rpc, _ => []).Add(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (failed)
        {
            Errors.AddOrUpdate($"{rpc} {code}", 1, (_, n) => n + 1);
        }
    }

    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        double[] sorted = [.. values.Order()];
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
