namespace Cauchy.Torch.Data;

// SplitMix64: tiny, fast, and defined by its arithmetic alone, so an order or augmentation drawn from a seed is the
// same on every machine and .NET version (System.Random's algorithm is an implementation detail).
internal sealed class DeterministicRandom(ulong seed)
{
    private ulong state = seed;

    // Derives an independent stream from a seed and coordinates such as (epoch, batch index).
    internal static DeterministicRandom For(long seed, params long[] coordinates)
    {
        ulong mixed = Mix((ulong)seed);
        foreach (long coordinate in coordinates)
        {
            mixed = Mix(mixed ^ Mix((ulong)coordinate + 0x632BE59BD9B4E019UL));
        }

        return new DeterministicRandom(mixed);
    }

    internal ulong NextUInt64()
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    /// <summary>Uniform in [0, bound) without modulo bias (Lemire's multiply-and-reject).</summary>
    internal int NextInt(int bound)
    {
        if (bound <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bound), bound, "bound must be positive");
        }

        ulong threshold = (0UL - (ulong)bound) % (ulong)bound;
        while (true)
        {
            UInt128 product = (UInt128)NextUInt64() * (ulong)bound;
            if ((ulong)product >= threshold)
            {
                return (int)(product >> 64);
            }
        }
    }

    internal bool NextBool() => (NextUInt64() >> 63) != 0;

    internal int[] Permutation(int count)
    {
        int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        for (int i = count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
