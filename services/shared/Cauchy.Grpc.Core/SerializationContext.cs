using System.Buffers;

namespace Grpc.Core;

/// <summary>Given to a contextual serializer: either <see cref="Complete(byte[])"/> with the whole payload,
/// or write to <see cref="GetBufferWriter"/> and then call <see cref="Complete()"/>.</summary>
public abstract class SerializationContext
{
    public virtual void Complete(byte[] payload) =>
        throw new NotSupportedException($"{GetType().Name} does not accept a whole payload.");

    public virtual IBufferWriter<byte> GetBufferWriter() =>
        throw new NotSupportedException($"{GetType().Name} has no buffer writer.");

    /// <summary>A hint: the length of the payload about to be written.</summary>
    public virtual void SetPayloadLength(int payloadLength) { }

    public virtual void Complete() =>
        throw new NotSupportedException($"{GetType().Name} has no buffer writer to complete.");
}
