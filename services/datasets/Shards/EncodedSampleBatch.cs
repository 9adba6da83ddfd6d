using System.Buffers;
using Cauchy.V1;
using Google.Protobuf;

namespace Cauchy.Datasets.Shards;

/// <summary>
/// The samples of one ReadShard message in their wire form: each shard record (a serialized <see cref="Sample"/>)
/// behind the tag and length of <c>ReadShardResponse.samples</c>, which is exactly how a <see cref="ReadShardResponse"/>
/// holding them serializes. The service writes it as is, so a sample is parsed once, by the client, instead of being
/// parsed and serialized again on the server. The bytes live in a pooled buffer returned by <see cref="Dispose"/>.
/// </summary>
public sealed class EncodedSampleBatch : IDisposable
{
    private const byte SamplesFieldTag = (1 << 3) | 2; // field 1, length-delimited
    private byte[] _buffer;

    public EncodedSampleBatch(int capacity) => _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 64));

    /// <summary>Samples in the batch.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes of the encoded message.</summary>
    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Bytes => _buffer.AsMemory(0, Length);

    /// <summary>Reserves room for one record of <paramref name="recordLength"/> bytes after its tag and length, and returns it.</summary>
    public Memory<byte> Append(int recordLength)
    {
        var header = 1 + CodedOutputStream.ComputeLengthSize(recordLength);
        EnsureCapacity(Length + header + recordLength);
        _buffer[Length] = SamplesFieldTag;
        var written = Varint.Write(_buffer.AsSpan(Length + 1), (uint)recordLength);
        Length += 1 + written;
        var record = _buffer.AsMemory(Length, recordLength);
        Length += recordLength;
        Count++;
        return record;
    }

    /// <summary>The samples as messages, for callers inside the service and for tests.</summary>
    public IReadOnlyList<Sample> ToSamples() => ReadShardResponse.Parser.ParseFrom(Bytes.Span).Samples;

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _buffer.Length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(0, Length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
