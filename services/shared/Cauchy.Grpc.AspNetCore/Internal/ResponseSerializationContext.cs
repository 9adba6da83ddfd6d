using System.Buffers;
using System.IO.Compression;
using System.IO.Pipelines;
using Cauchy.Grpc.Internal;
using Grpc.Core;

namespace Cauchy.Grpc.AspNetCore.Internal;

/// <summary>
/// Serializes response messages straight into the response pipe. When the serializer announces the length
/// (generated protobuf code does), the frame header goes first and the payload is written in place with no
/// copy; otherwise, and when compressing, the payload is collected first and then framed.
/// One per call, reused for each message (a call writes one message at a time).
/// </summary>
internal sealed class ResponseSerializationContext(PipeWriter output, int? maxSendMessageSize, CompressionLevel compressionLevel)
    : SerializationContext, IBufferWriter<byte>
{
    private enum State
    {
        Idle,
        Direct,
        Buffered,
        Completed,
    }

    private BufferSerializationContext? _buffer;
    private State _state;
    private bool _compress;
    private int _announcedLength;
    private int _written;

    /// <summary>True when a frame header is in the pipe but its payload is not complete: the stream would be corrupt.</summary>
    public bool FrameOpen => _state == State.Direct;

    public void Serialize<T>(T message, Action<T, SerializationContext> serializer, bool compress)
    {
        _state = State.Idle;
        _compress = compress;
        _announcedLength = -1;
        _written = 0;
        _buffer?.Reset();
        serializer(message, this);
        if (_state != State.Completed)
        {
            throw new InvalidOperationException("The response serializer returned without completing the message.");
        }
    }

    public override void SetPayloadLength(int payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        _announcedLength = payloadLength;
    }

    public override IBufferWriter<byte> GetBufferWriter()
    {
        switch (_state)
        {
            case State.Direct:
                return this;
            case State.Buffered:
                return _buffer!.GetBufferWriter();
            case State.Idle when !_compress && _announcedLength >= 0:
                CheckSendSize(_announcedLength);
                WriteHeader(compressed: false, _announcedLength);
                _state = State.Direct;
                return this;
            case State.Idle:
                _buffer ??= new BufferSerializationContext();
                _state = State.Buffered;
                return _buffer.GetBufferWriter();
            default:
                throw new InvalidOperationException("The message is already complete.");
        }
    }

    public override void Complete(byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (_state != State.Idle)
        {
            throw new InvalidOperationException("Complete(byte[]) cannot follow GetBufferWriter().");
        }
        WriteWhole(payload);
        _state = State.Completed;
    }

    public override void Complete()
    {
        switch (_state)
        {
            case State.Direct when _written != _announcedLength:
                // Leave the state Direct: the caller sees an open frame and resets the stream.
                throw new InvalidOperationException(
                    $"The response serializer wrote {_written} bytes after announcing {_announcedLength}.");
            case State.Direct:
                break;
            case State.Buffered:
                WriteWhole(_buffer!.WrittenSpan);
                break;
            case State.Idle:
                WriteWhole([]);
                break;
            default:
                throw new InvalidOperationException("The message is already complete.");
        }
        _state = State.Completed;
    }

    void IBufferWriter<byte>.Advance(int count)
    {
        _written += count;
        output.Advance(count);
    }

    Memory<byte> IBufferWriter<byte>.GetMemory(int sizeHint) => output.GetMemory(sizeHint);

    Span<byte> IBufferWriter<byte>.GetSpan(int sizeHint) => output.GetSpan(sizeHint);

    private void WriteWhole(ReadOnlySpan<byte> payload)
    {
        CheckSendSize(payload.Length);
        if (_compress)
        {
            var compressed = MessageCompression.Compress(payload, compressionLevel);
            WriteHeader(compressed: true, compressed.Length);
            output.Write(compressed);
        }
        else
        {
            WriteHeader(compressed: false, payload.Length);
            output.Write(payload);
        }
    }

    private void WriteHeader(bool compressed, int length)
    {
        var span = output.GetSpan(GrpcProtocol.FrameHeaderSize);
        GrpcProtocol.WriteFrameHeader(span, compressed, length);
        output.Advance(GrpcProtocol.FrameHeaderSize);
    }

    private void CheckSendSize(int length)
    {
        if (length > maxSendMessageSize)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "Sending message exceeds the maximum configured message size."));
        }
    }
}
