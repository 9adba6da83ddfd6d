using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Cauchy.Grpc.Tests.Server.Infrastructure;

/// <summary>Builds and parses length-prefixed gRPC messages by hand, independently of the code under test.</summary>
public static class GrpcFrames
{
    public static byte[] Frame(string message) => Frame(Encoding.UTF8.GetBytes(message));

    public static byte[] Frame(byte[] payload, byte compressedFlag = 0)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = compressedFlag;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    public static byte[] GzipFrame(string message) => Frame(Gzip(Encoding.UTF8.GetBytes(message)), compressedFlag: 1);

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(part => part).ToArray();

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    public static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Splits a whole response body into frames; fails the test on a malformed body.</summary>
    public static List<ReceivedFrame> Parse(byte[] body)
    {
        var frames = new List<ReceivedFrame>();
        var offset = 0;
        while (offset < body.Length)
        {
            if (body.Length - offset < 5)
            {
                throw new InvalidDataException($"Truncated frame header at offset {offset}.");
            }
            var flag = body[offset];
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 1));
            if (body.Length - offset - 5 < length)
            {
                throw new InvalidDataException($"Truncated frame payload at offset {offset}.");
            }
            frames.Add(new ReceivedFrame(flag, body.AsSpan(offset + 5, length).ToArray()));
            offset += 5 + length;
        }
        return frames;
    }

    /// <summary>Reads one frame from a response stream; null at a clean end.</summary>
    public static async Task<ReceivedFrame?> ReadFrameAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        var header = new byte[5];
        var read = await ReadAtLeastAsync(stream, header, cancellationToken);
        if (read == 0)
        {
            return null;
        }
        if (read < 5)
        {
            throw new InvalidDataException("Truncated frame header.");
        }
        var payload = new byte[BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1))];
        if (await ReadAtLeastAsync(stream, payload, cancellationToken) < payload.Length)
        {
            throw new InvalidDataException("Truncated frame payload.");
        }
        return new ReceivedFrame(header[0], payload);
    }

    private static async Task<int> ReadAtLeastAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken) =>
        buffer.Length == 0 ? 0 : await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
}

public sealed record ReceivedFrame(byte Flag, byte[] Payload)
{
    public string Text => Encoding.UTF8.GetString(Flag == 1 ? GrpcFrames.Gunzip(Payload) : Payload);
}
