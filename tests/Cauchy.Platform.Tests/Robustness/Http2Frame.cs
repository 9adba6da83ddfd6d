namespace Cauchy.Platform.Tests.Robustness;

/// <summary>One HTTP/2 frame as read off the wire (RFC 9113 §4.1).</summary>
public sealed record Http2Frame(byte Type, byte Flags, int StreamId, byte[] Payload)
{
    public const byte Data = 0x0;
    public const byte Headers = 0x1;
    public const byte Settings = 0x4;
    public const byte GoAway = 0x7;

    /// <summary>The error code of a GOAWAY frame (after the last-stream-id).</summary>
    public uint GoAwayErrorCode =>
        Type == GoAway && Payload.Length >= 8
            ? (uint)(Payload[4] << 24 | Payload[5] << 16 | Payload[6] << 8 | Payload[7])
            : throw new InvalidOperationException("not a GOAWAY frame");
}
