using System.Security.Cryptography;

namespace Cauchy.Registry.Tests.Support;

/// <summary>
/// A large safetensors file generated chunk by chunk (one F32 tensor of pseudo-random values), so that neither the test
/// nor anything else ever holds it whole; the same seed gives the same bytes every time.
/// </summary>
public sealed class LargeArtifact(long floats, int seed)
{
    private readonly byte[] _prefix = Prefix(floats);

    public long Length => _prefix.Length + (floats * 4);

    public IEnumerable<ReadOnlyMemory<byte>> Chunks(int chunkBytes = RegistryClientExtensions.ChunkBytes)
    {
        var random = new Random(seed);
        var remaining = Length;
        var first = true;
        while (remaining > 0)
        {
            var chunk = new byte[(int)Math.Min(chunkBytes, remaining)];
            var start = 0;
            if (first)
            {
                _prefix.CopyTo(chunk, 0);
                start = _prefix.Length;
                first = false;
            }
            random.NextBytes(chunk.AsSpan(start));
            remaining -= chunk.Length;
            yield return chunk;
        }
    }

    public string Sha256()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var chunk in Chunks())
        {
            hash.AppendData(chunk.Span);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static byte[] Prefix(long floats)
    {
        var header = TestWeights.Header(floats);
        var prefix = new byte[8 + header.Length];
        BitConverter.TryWriteBytes(prefix.AsSpan(0, 8), (long)header.Length);
        header.CopyTo(prefix, 8);
        return prefix;
    }
}
