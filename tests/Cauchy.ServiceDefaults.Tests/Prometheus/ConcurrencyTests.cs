using System.Diagnostics.Metrics;
using Xunit;

namespace Cauchy.ServiceDefaults.Tests.Prometheus;

public sealed class ConcurrencyTests
{
    private const int Threads = 8;
    private const int PerThread = 20_000;

    [Fact]
    public async Task Concurrent_recording_loses_nothing_and_every_scrape_is_internally_consistent()
    {
        using var scope = new ExporterScope();
        var meter = scope.CreateMeter();
        var counter = meter.CreateCounter<long>("load.events");
        var sum = meter.CreateCounter<double>("load.amount");
        var histogram = meter.CreateHistogram("load.latency", unit: "s", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1] });

        using var stop = new CancellationTokenSource();
        var scraping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scrapes = 0;
        var scraper = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                scraping.TrySetResult();
                var samples = ExpositionParser.Samples(scope.Collect());
                foreach (var (series, value) in samples)
                {
                    if (series.StartsWith("load_latency_seconds_count", StringComparison.Ordinal))
                    {
                        var labels = series["load_latency_seconds_count".Length..];
                        var infBucket = labels.Length == 0 ? "{le=\"+Inf\"}" : labels[..^1] + ",le=\"+Inf\"}";
                        Assert.Equal(value, samples["load_latency_seconds_bucket" + infBucket]);
                        Assert.True(samples["load_latency_seconds_bucket" + infBucket.Replace("+Inf", "1", StringComparison.Ordinal)] <= value);
                    }
                }

                scrapes++;
            }
        });

        var writers = Enumerable.Range(0, Threads).Select(t => Task.Run(async () =>
        {
            await scraping.Task;
            var shard = new KeyValuePair<string, object?>("shard", t % 2 == 0 ? "even" : "odd");
            for (var i = 0; i < PerThread; i++)
            {
                counter.Add(1, shard);
                sum.Add(0.5);
                histogram.Record(i % 3 == 0 ? 0.25 : 2, shard);
            }
        })).ToArray();
        await Task.WhenAll(writers);
        await stop.CancelAsync();
        await scraper;

        var final = ExpositionParser.Samples(scope.Collect());
        const int perShard = Threads / 2 * PerThread;
        Assert.Equal(perShard, final["load_events_total{shard=\"even\"}"]);
        Assert.Equal(perShard, final["load_events_total{shard=\"odd\"}"]);
        Assert.Equal(Threads * PerThread * 0.5, final["load_amount_total"]);
        var lowPerThread = (PerThread + 2) / 3;
        Assert.Equal(perShard, final["load_latency_seconds_count{shard=\"odd\"}"]);
        Assert.Equal(Threads / 2 * lowPerThread, final["load_latency_seconds_bucket{shard=\"odd\",le=\"0.5\"}"]);
        Assert.Equal(Threads / 2 * lowPerThread, final["load_latency_seconds_bucket{shard=\"odd\",le=\"1\"}"]);
        Assert.True(scrapes > 0);
    }
}
