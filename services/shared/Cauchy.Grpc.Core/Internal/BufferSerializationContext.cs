using System.Buffers;
using Grpc.Core;

namespace Cauchy.Grpc.Internal;

/// <summary>A reusable serialization context that collects the payload in memory. For transports.</summary>
public sealed class BufferSerializationContext : SerializationContext
{
    private readonly ArrayBufferWriter<byte> _writer = new();
    private byte[]? _wholePayload;
    private bool _completed;

    public ReadOnlySpan<byte> WrittenSpan => _wholePayload ?? _writer.WrittenSpan;

    public ReadOnlyMemory<byte> WrittenMemory => _wholePayload ?? _writer.WrittenMemory;

    public bool IsComplete => _completed;

    public override void Complete(byte[] payload)
    {
        _wholePayload = payload ?? throw new ArgumentNullException(nameof(payload));
        _completed = true;
    }

    public override IBufferWriter<byte> GetBufferWriter() => _writer;

    public override void SetPayloadLength(int payloadLength)
    {
        if (payloadLength > _writer.FreeCapacity)
        {
            _writer.GetSpan(payloadLength);
        }
    }

    public override void Complete() => _completed = true;

    /// <summary>Prepares for the next message.</summary>
    public void Reset()
    {
        _writer.ResetWrittenCount();
        _wholePayload = null;
        _completed = false;
    }
}
