using System.Buffers;
using Cauchy.Grpc.Internal;
using Grpc.Core;

namespace Cauchy.Grpc.Net.Client.Internal;

/// <summary>
/// Splits a response body into length-prefixed messages. Reads as much as the stream offers into one pooled
/// buffer (several small messages per read; a large message straight into place) and hands out each payload
/// as a slice of it, valid until the next read. The buffer grows to the largest message seen and is
/// returned to the pool when the call ends.
/// </summary>
internal sealed class MessageFrameReader
{
    private const int MinimumBufferSize = 4096;

    private byte[]? _buffer;
    private int _start;
    private int _end;

    /// <summary>
    /// Takes the next complete message from what was already read. False when more bytes are needed:
    /// <paramref name="bytesNeeded"/> says how many, counting from the start of the frame.
    /// </summary>
    public bool TryReadMessage(int maxMessageSize, out ReadOnlyMemory<byte> payload, out bool compressed, out int bytesNeeded)
    {
        payload = default;
        compressed = false;
        var available = _end - _start;
        if (available < GrpcProtocol.FrameHeaderSize)
        {
            bytesNeeded = GrpcProtocol.FrameHeaderSize;
            return false;
        }
        if (!GrpcProtocol.TryReadFrameHeader(_buffer.AsSpan(_start, GrpcProtocol.FrameHeaderSize), out compressed, out var length))
        {
            throw new RpcException(new Status(StatusCode.Internal, $"Invalid message frame: the compressed flag is {_buffer![_start]}, not 0 or 1."));
        }
        if (length > (uint)maxMessageSize)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"Received message exceeds the maximum configured message size ({length} > {maxMessageSize} bytes)."));
        }
        bytesNeeded = GrpcProtocol.FrameHeaderSize + (int)length;
        if (available < bytesNeeded)
        {
            return false;
        }
        payload = _buffer.AsMemory(_start + GrpcProtocol.FrameHeaderSize, (int)length);
        _start += bytesNeeded;
        return true;
    }

    /// <summary>Reads until <paramref name="bytesNeeded"/> bytes are buffered. False at a clean end of the body (between messages).</summary>
    public async ValueTask<bool> FillAsync(Stream stream, int bytesNeeded, CancellationToken cancellationToken)
    {
        EnsureCapacity(bytesNeeded);
        while (_end - _start < bytesNeeded)
        {
            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                if (_end == _start)
                {
                    return false;
                }
                throw new RpcException(new Status(StatusCode.Internal,
                    $"The response ended in the middle of a message ({_end - _start} of {bytesNeeded} bytes received)."));
            }
            _end += read;
        }
        return true;
    }

    public void Release()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        _start = _end = 0;
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Makes room for <paramref name="bytesNeeded"/> bytes from the current frame's start, moving or growing the buffer.</summary>
    private void EnsureCapacity(int bytesNeeded)
    {
        var available = _end - _start;
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(bytesNeeded, MinimumBufferSize));
            _start = _end = 0;
            return;
        }
        if (available == 0)
        {
            _start = _end = 0;
        }
        if (_buffer.Length - _start >= bytesNeeded)
        {
            return;
        }
        var target = _buffer.Length >= bytesNeeded ? _buffer : ArrayPool<byte>.Shared.Rent(Math.Max(bytesNeeded, _buffer.Length * 2));
        _buffer.AsSpan(_start, available).CopyTo(target);
        if (!ReferenceEquals(target, _buffer))
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = target;
        }
        _start = 0;
        _end = available;
    }
}
