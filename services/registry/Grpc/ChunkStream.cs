using Cauchy.Domain;
using Google.Protobuf;
using Grpc.Core;

namespace Cauchy.Registry.Grpc;

/// <summary>
/// The chunk messages of a client stream as a read-only Stream, one message at a time (bounded memory). A message that
/// is not a chunk is INVALID_ARGUMENT naming <paramref name="what"/>.
/// </summary>
public sealed class ChunkStream<TRequest>(IAsyncStreamReader<TRequest> requests, Func<TRequest, ByteString?> chunkOf, string what, CancellationToken callCancelled) : Stream
{
    private ReadOnlyMemory<byte> _current = ReadOnlyMemory<byte>.Empty;
    private bool _ended;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_current.IsEmpty)
        {
            if (_ended)
            {
                return 0;
            }
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, callCancelled);
            if (!await requests.MoveNext(linked.Token))
            {
                _ended = true;
                return 0;
            }
            var chunk = chunkOf(requests.Current)
                ?? throw DomainException.InvalidArgument(what, "every message after the header must be a chunk.");
            _current = chunk.Memory;
        }
        var n = Math.Min(buffer.Length, _current.Length);
        _current[..n].CopyTo(buffer);
        _current = _current[n..];
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
