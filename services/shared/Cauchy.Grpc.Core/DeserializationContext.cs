using System.Buffers;

namespace Grpc.Core;

/// <summary>Given to a contextual deserializer: the payload of one message.</summary>
public abstract class DeserializationContext
{
    public virtual int PayloadLength => 0;

    public virtual byte[] PayloadAsNewBuffer() =>
        throw new NotSupportedException($"{GetType().Name} cannot copy its payload.");

    public virtual ReadOnlySequence<byte> PayloadAsReadOnlySequence() =>
        throw new NotSupportedException($"{GetType().Name} has no sequence payload.");
}
