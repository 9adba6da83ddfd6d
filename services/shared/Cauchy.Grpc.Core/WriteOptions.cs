namespace Grpc.Core;

[Flags]
public enum WriteFlags
{
    /// <summary>The write may be buffered; it need not reach the peer at once.</summary>
    BufferHint = 0x1,

    /// <summary>Do not compress this message even if the call uses compression.</summary>
    NoCompress = 0x2,
}

public class WriteOptions(WriteFlags flags = default)
{
    public static readonly WriteOptions Default = new();

    public WriteFlags Flags { get; } = flags;
}
