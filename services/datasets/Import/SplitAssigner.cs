using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Cauchy.Datasets.Domain;
using Cauchy.Domain;
using Cauchy.V1;

namespace Cauchy.Datasets.Import;

/// <summary>
/// Deterministic split assignment. Every sample gets a shuffle key, the first 8 bytes of SHA-256(seed, sample id),
/// which depends only on the seed and the id (never on archive order, so the same content and seed always give the
/// same splits). Samples are ordered by key; the first train_fraction of them go to train, the next
/// validation_fraction to validation, the rest to test. With keep_source_splits, declared splits stay, unassigned
/// samples are split by the fractions, and a source with train but no validation moves validation_fraction of its
/// train samples (the lowest keys) to validation.
/// </summary>
public static class SplitAssigner
{
    /// <summary>The spec with defaults filled in; INVALID_ARGUMENT naming the field for bad fractions.</summary>
    public static SplitSpec Normalize(SplitSpec? spec)
    {
        var result = spec?.Clone() ?? new SplitSpec();
        if (result.TrainFraction == 0 && result.ValidationFraction == 0 && result.TestFraction == 0)
        {
            result.TrainFraction = 0.8;
            result.ValidationFraction = 0.1;
            result.TestFraction = 0.1;
        }
        foreach (var (name, value) in new[] { ("train_fraction", result.TrainFraction), ("validation_fraction", result.ValidationFraction), ("test_fraction", result.TestFraction) })
        {
            if (double.IsNaN(value) || value < 0 || value > 1)
            {
                throw DomainException.InvalidArgument($"header.split.{name} is {value}; it must be between 0 and 1");
            }
        }
        var sum = result.TrainFraction + result.ValidationFraction + result.TestFraction;
        if (Math.Abs(sum - 1) > 1e-6)
        {
            throw DomainException.InvalidArgument($"header.split fractions sum to {sum}; train_fraction + validation_fraction + test_fraction must be 1");
        }
        return result;
    }

    public static ulong ShuffleKey(long seed, string sampleId)
    {
        var idBytes = Encoding.UTF8.GetByteCount(sampleId);
        Span<byte> input = idBytes <= 512 ? stackalloc byte[8 + idBytes] : new byte[8 + idBytes];
        BinaryPrimitives.WriteInt64LittleEndian(input, seed);
        Encoding.UTF8.GetBytes(sampleId, input[8..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash);
    }

    /// <summary>
    /// Assigns a split to each sample. <paramref name="sourceSplits"/> and <paramref name="keys"/> are indexed like
    /// the samples; ties of keys are broken by sample index, which only matters for (practically impossible) hash
    /// collisions.
    /// </summary>
    public static Split[] Assign(SplitSpec spec, IReadOnlyList<Split> sourceSplits, IReadOnlyList<ulong> keys)
    {
        var count = sourceSplits.Count;
        var result = new Split[count];
        var unassigned = new List<int>();
        for (var i = 0; i < count; i++)
        {
            if (spec.KeepSourceSplits && sourceSplits[i] != Split.Unspecified)
            {
                result[i] = sourceSplits[i];
            }
            else
            {
                unassigned.Add(i);
            }
        }

        SplitByFractions(spec, unassigned, keys, result);

        if (spec.KeepSourceSplits && spec.ValidationFraction > 0
            && sourceSplits.Any(s => s == Split.Train) && !sourceSplits.Any(s => s == Split.Validation))
        {
            var train = Enumerable.Range(0, count).Where(i => sourceSplits[i] == Split.Train).ToList();
            train.Sort((a, b) => Compare(keys, a, b));
            var move = (int)Math.Round(train.Count * spec.ValidationFraction, MidpointRounding.AwayFromZero);
            foreach (var i in train.Take(move))
            {
                result[i] = Split.Validation;
            }
        }
        return result;
    }

    private static void SplitByFractions(SplitSpec spec, List<int> indexes, IReadOnlyList<ulong> keys, Split[] result)
    {
        indexes.Sort((a, b) => Compare(keys, a, b));
        var n = indexes.Count;
        var trainEnd = (int)Math.Round(n * spec.TrainFraction, MidpointRounding.AwayFromZero);
        var validationEnd = Math.Min(n, trainEnd + (int)Math.Round(n * spec.ValidationFraction, MidpointRounding.AwayFromZero));
        if (spec.TestFraction == 0)
        {
            validationEnd = n;
            if (spec.ValidationFraction == 0)
            {
                trainEnd = n;
            }
        }
        for (var position = 0; position < n; position++)
        {
            result[indexes[position]] = position < trainEnd ? Split.Train : position < validationEnd ? Split.Validation : Split.Test;
        }
    }

    public static int Compare(IReadOnlyList<ulong> keys, int a, int b)
    {
        var byKey = keys[a].CompareTo(keys[b]);
        return byKey != 0 ? byKey : a.CompareTo(b);
    }
}
