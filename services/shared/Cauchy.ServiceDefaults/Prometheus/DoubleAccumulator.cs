namespace Cauchy.ServiceDefaults.Prometheus;

/// <summary>A double that many threads add to without a lock.</summary>
internal sealed class DoubleAccumulator
{
    private double _value;

    public double Value => Volatile.Read(ref _value);

    public void Add(double amount)
    {
        var current = Volatile.Read(ref _value);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref _value, current + amount, current);
            if (seen.Equals(current))
            {
                return;
            }

            current = seen;
        }
    }
}
