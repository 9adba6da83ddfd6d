using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Cauchy.Datasets.Domain;
using Cauchy.Datasets.Images;
using Cauchy.Domain;
using Cauchy.Storage;
using Cauchy.V1;

namespace Cauchy.Datasets.Shards;

/// <summary>
/// Streams the samples of one shard from the object store in batches, never holding more than one batch. The
/// shard's index (checked against its SHA-256) gives where sample <c>start</c> begins, so a resumed read seeks
/// instead of re-reading; every record's length and CRC-32 are checked against the index before it is parsed, and a
/// read from the first sample also checks the whole shard's SHA-256 at its end. A mismatch is DATA_LOSS. Records are
/// read straight into the batch that carries them to the client; they are not parsed here.
/// </summary>
public sealed class ShardReader(IObjectStore store)
{
    private const int MaxBatchBytes = 1 << 20;

    /// <summary>The shard's samples from <paramref name="startSample"/> on, as messages (see <see cref="ReadEncodedAsync"/>).</summary>
    public async IAsyncEnumerable<List<Sample>> ReadAsync(
        Shard shard, long startSample, int batchSamples, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var batch in ReadEncodedAsync(shard, startSample, batchSamples, cancellationToken))
        {
            using (batch)
            {
                yield return [.. batch.ToSamples()];
            }
        }
    }

    /// <summary>
    /// The shard's samples from <paramref name="startSample"/> on, in batches of at most <paramref name="batchSamples"/>
    /// samples or about 1 MiB, each already encoded as a ReadShard message. The caller disposes each batch.
    /// </summary>
    public async IAsyncEnumerable<EncodedSampleBatch> ReadEncodedAsync(
        Shard shard, long startSample, int batchSamples, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (startSample < 0)
        {
            throw DomainException.InvalidArgument($"start_sample is {startSample}; it must not be negative");
        }
        var index = await LoadIndexAsync(shard, cancellationToken);
        var entries = index.Entries;
        if (startSample > entries.Count)
        {
            throw DomainException.InvalidArgument($"start_sample {startSample} is past the shard's {entries.Count} samples");
        }
        if (startSample == entries.Count)
        {
            yield break;
        }

        var offset = entries[(int)startSample].Offset;
        var verifyWhole = startSample == 0;
        using var shardHash = verifyWhole ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        Stream raw;
        try
        {
            raw = await store.OpenReadAsync(shard.ObjectKey, offset, shard.SizeBytes - offset, cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            throw DomainException.DataLoss($"shard '{shard.ObjectKey}' is missing from the object store");
        }
        await using var stream = new BufferedStream(raw, 1 << 20);
        var lengthBytes = new byte[10];
        var batch = new EncodedSampleBatch(MaxBatchBytes + (64 << 10));
        try
        {
            for (var i = (int)startSample; i < entries.Count; i++)
            {
                var entry = entries[i];
                var prefixLength = await ReadVarintAsync(stream, lengthBytes, shard.ObjectKey, cancellationToken);
                var length = DecodeVarint(lengthBytes);
                if (length != entry.Length)
                {
                    throw DomainException.DataLoss($"shard '{shard.ObjectKey}' record {i} is {length} bytes but its index says {entry.Length}");
                }
                var record = batch.Append(length);
                try
                {
                    await stream.ReadExactlyAsync(record, cancellationToken);
                }
                catch (EndOfStreamException)
                {
                    throw DomainException.DataLoss($"shard '{shard.ObjectKey}' ends inside record {i} (truncated)");
                }
                var body = record.Span;
                if (Crc32.Compute(body) != entry.Crc32)
                {
                    throw DomainException.DataLoss($"shard '{shard.ObjectKey}' record {i} fails its CRC-32 check (corrupted)");
                }
                shardHash?.AppendData(lengthBytes, 0, prefixLength);
                shardHash?.AppendData(body);
                if (batch.Count >= batchSamples || batch.Length >= MaxBatchBytes)
                {
                    var full = batch;
                    batch = new EncodedSampleBatch(MaxBatchBytes + (64 << 10));
                    yield return full;
                }
            }
            if (shardHash is not null && Convert.ToHexStringLower(shardHash.GetHashAndReset()) != shard.Sha256)
            {
                throw DomainException.DataLoss($"shard '{shard.ObjectKey}' does not match its sha256 {shard.Sha256} (corrupted)");
            }
            if (batch.Count > 0)
            {
                var last = batch;
                batch = new EncodedSampleBatch(0);
                yield return last;
            }
        }
        finally
        {
            batch.Dispose();
        }
    }

    private async Task<ShardIndex> LoadIndexAsync(Shard shard, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            await using var stream = await store.OpenReadAsync(shard.IndexObjectKey, cancellationToken: cancellationToken);
            using var memory = new MemoryStream(checked((int)Math.Max(0, shard.IndexSizeBytes)));
            await stream.CopyToAsync(memory, cancellationToken);
            bytes = memory.ToArray();
        }
        catch (ObjectNotFoundException)
        {
            throw DomainException.DataLoss($"shard index '{shard.IndexObjectKey}' is missing from the object store");
        }
        if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != shard.IndexSha256)
        {
            throw DomainException.DataLoss($"shard index '{shard.IndexObjectKey}' does not match its sha256 (corrupted)");
        }
        return ShardIndex.Parse(bytes, shard.IndexObjectKey);
    }

    private static async Task<int> ReadVarintAsync(Stream stream, byte[] into, string key, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 5; i++)
        {
            var read = await stream.ReadAsync(into.AsMemory(i, 1), cancellationToken);
            if (read == 0)
            {
                throw DomainException.DataLoss($"shard '{key}' ends before its last record (truncated)");
            }
            if ((into[i] & 0x80) == 0)
            {
                return i + 1;
            }
        }
        throw DomainException.DataLoss($"shard '{key}' has a record length that is not a valid varint");
    }

    private static int DecodeVarint(byte[] bytes)
    {
        var value = 0;
        for (var i = 0; i < 5; i++)
        {
            value |= (bytes[i] & 0x7F) << (7 * i);
            if ((bytes[i] & 0x80) == 0)
            {
                break;
            }
        }
        return value;
    }
}
