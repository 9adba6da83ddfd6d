using System.Text;

namespace Cauchy.Platform.Tests.Robustness;

/// <summary>
/// Just enough HTTP/2 to misbehave on purpose: the connection preface, frames, HPACK literal header fields
/// (no indexing, no Huffman), and a reader for what a server sends back.
/// </summary>
public static class Http2Wire
{
    public static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public const byte EndStream = 0x1;
    public const byte EndHeaders = 0x4;

    public static byte[] Frame(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        frame[5] = (byte)((streamId >> 24) & 0x7F);
        frame[6] = (byte)(streamId >> 16);
        frame[7] = (byte)(streamId >> 8);
        frame[8] = (byte)streamId;
        payload.CopyTo(frame.AsSpan(9));
        return frame;
    }

    /// <summary>A header block of "literal header field without indexing, new name" entries (RFC 7541 §6.2.2).</summary>
    public static byte[] HeaderBlock(params (string Name, string Value)[] headers)
    {
        var block = new List<byte>();
        foreach (var (name, value) in headers)
        {
            block.Add(0x00);
            AppendString(block, name);
            AppendString(block, value);
        }

        return [.. block];
    }

    /// <summary>Splits what a server sent into frames; a trailing partial frame is ignored.</summary>
    public static IReadOnlyList<Http2Frame> ReadFrames(ReadOnlySpan<byte> bytes)
    {
        var frames = new List<Http2Frame>();
        var position = 0;
        while (bytes.Length - position >= 9)
        {
            var length = bytes[position] << 16 | bytes[position + 1] << 8 | bytes[position + 2];
            if (bytes.Length - position - 9 < length)
            {
                break;
            }

            var streamId = (bytes[position + 5] & 0x7F) << 24 | bytes[position + 6] << 16 | bytes[position + 7] << 8 | bytes[position + 8];
            frames.Add(new Http2Frame(bytes[position + 3], bytes[position + 4], streamId, bytes.Slice(position + 9, length).ToArray()));
            position += 9 + length;
        }

        return frames;
    }

    private static void AppendString(List<byte> block, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        AppendInteger(block, bytes.Length);
        block.AddRange(bytes);
    }

    // HPACK integer with a 7-bit prefix and the Huffman bit clear (RFC 7541 §5.1).
    private static void AppendInteger(List<byte> block, int value)
    {
        if (value < 127)
        {
            block.Add((byte)value);
            return;
        }

        block.Add(127);
        value -= 127;
        while (value >= 128)
        {
            block.Add((byte)(value % 128 + 128));
            value /= 128;
        }

        block.Add((byte)value);
    }
}
