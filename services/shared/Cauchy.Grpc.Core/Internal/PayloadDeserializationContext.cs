using System.Buffers;
using Grpc.Core;

namespace Cauchy.Grpc.Internal;

/// <summary>A deserialization context over one received message payload. For transports.</summary>
public sealed class PayloadDeserializationContext(ReadOnlySequence<byte> payload) : DeserializationContext
{
    public override int PayloadLength => checked((int)payload.Length);

    public override byte[] PayloadAsNewBuffer() => payload.ToArray();

    public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => payload;
}
