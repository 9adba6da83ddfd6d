namespace Cauchy.ServiceDefaults.Prometheus;

/// <summary>
/// Bucket counts, sum and count of one histogram series. A lock keeps them consistent with each other, so a
/// scrape never sees a count that disagrees with the <c>+Inf</c> bucket.
/// </summary>
internal sealed class HistogramAccumulator(double[] bounds)
{
    private readonly Lock _lock = new();
    private readonly long[] _counts = new long[bounds.Length + 1];
    private double _sum;
    private long _count;

    public void Record(double value)
    {
        // Buckets are "less than or equal": the first bound >= value takes it, the last slot is +Inf.
        var index = Array.BinarySearch(bounds, value);
        if (index < 0)
        {
            index = ~index;
        }

        lock (_lock)
        {
            _counts[index]++;
            _sum += value;
            _count++;
        }
    }

    public HistogramSnapshot Snapshot(LabelSet labels)
    {
        var cumulative = new long[bounds.Length];
        double sum;
        long count;
        lock (_lock)
        {
            long running = 0;
            for (var i = 0; i < bounds.Length; i++)
            {
                running += _counts[i];
                cumulative[i] = running;
            }

            sum = _sum;
            count = _count;
        }

        return new HistogramSnapshot(labels, bounds, cumulative, sum, count);
    }
}
