using System.Buffers;
using System.Runtime.CompilerServices;
using Cauchy.Grpc.Internal;
using Grpc.Core;

namespace Cauchy.Grpc.Net.Client.Internal;

/// <summary>
/// Serializes one outgoing message straight into a pooled buffer behind a reserved 5-byte frame header, so a
/// message goes to the HTTP/2 stream in one write without an intermediate copy. (Core's BufferSerializationContext
/// grows an unpooled buffer and has no header room; the client sends every message, so it earns a pooled one.)
/// Reused message after message: <see cref="Reset"/>, serialize, <see cref="Seal"/>, write, <see cref="Release"/>.
/// </summary>
internal sealed class FrameSerializationContext : SerializationContext, IBufferWriter<byte>
{
    /// <summary>Whole payloads up to this size are copied behind the header so the frame is one write (and one DATA frame); larger ones are written as they are.</summary>
    private const int CopyLimit = 64 * 1024;

    private const int MinimumBufferSize = 512;

    private byte[] _buffer = [];
    private int _length = GrpcProtocol.FrameHeaderSize;
    private byte[]? _payload;
    private bool _complete;

    public bool IsComplete => _complete;

    /// <summary>The serialized payload's length (before compression once sealed: the compressed length).</summary>
    public int PayloadLength => _payload?.Length ?? _length - GrpcProtocol.FrameHeaderSize;

    public void Reset()
    {
        _length = GrpcProtocol.FrameHeaderSize;
        _payload = null;
        _complete = false;
    }

    public override void Complete(byte[] payload)
    {
        _payload = payload ?? throw new ArgumentNullException(nameof(payload));
        _complete = true;
    }

    public override IBufferWriter<byte> GetBufferWriter() => this;

    public override void SetPayloadLength(int payloadLength) => EnsureFree(payloadLength);

    public override void Complete() => _complete = true;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_length + count > _buffer.Length)
        {
            throw new InvalidOperationException("Cannot advance past the end of the buffer.");
        }
        _length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureFree(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureFree(sizeHint);
        return _buffer.AsSpan(_length);
    }

    /// <summary>Compresses the payload if asked, and writes the frame header in front of it.</summary>
    public void Seal(bool compress)
    {
        if (compress)
        {
            _payload = MessageCompression.Compress(_payload ?? _buffer.AsSpan(GrpcProtocol.FrameHeaderSize, _length - GrpcProtocol.FrameHeaderSize));
            _length = GrpcProtocol.FrameHeaderSize;
        }
        if (_payload is not null && _payload.Length <= CopyLimit)
        {
            _length = GrpcProtocol.FrameHeaderSize;
            EnsureFree(_payload.Length);
            _payload.CopyTo(_buffer.AsSpan(_length));
            _length += _payload.Length;
            _payload = null;
        }
        EnsureFree(0);
        GrpcProtocol.WriteFrameHeader(_buffer, compress, PayloadLength);
    }

    // Pooled: an HTTP/2 write completes asynchronously, and this runs for every message sent.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteToAsync(Stream stream, bool flush, CancellationToken cancellationToken)
    {
        if (_payload is null)
        {
            await stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await stream.WriteAsync(_buffer.AsMemory(0, GrpcProtocol.FrameHeaderSize), cancellationToken).ConfigureAwait(false);
            await stream.WriteAsync(_payload, cancellationToken).ConfigureAwait(false);
        }
        if (flush)
        {
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Gives the buffer back to the pool; the next message rents again.</summary>
    public void Release()
    {
        var buffer = _buffer;
        _buffer = [];
        _payload = null;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void EnsureFree(int sizeHint)
    {
        var needed = _length + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length)
        {
            return;
        }
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(_buffer.Length * 2, MinimumBufferSize)));
        if (_buffer.Length > 0)
        {
            _buffer.AsSpan(0, _length).CopyTo(next);
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = next;
    }
}
