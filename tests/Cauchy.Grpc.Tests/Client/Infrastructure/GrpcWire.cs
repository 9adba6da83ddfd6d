using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Cauchy.Grpc.Tests.Client.Infrastructure;

/// <summary>The gRPC wire format, written out by hand for the raw test server (independent of the code under test).</summary>
public static class GrpcWire
{
    public static byte[] Frame(byte[] payload, bool compressed = false)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>Reads one length-prefixed message; null at the end of the body.</summary>
    public static async Task<(bool Compressed, byte[] Payload)?> ReadMessageAsync(Stream body)
    {
        var header = new byte[5];
        var read = await body.ReadAtLeastAsync(header, 5, throwOnEndOfStream: false);
        if (read == 0)
        {
            return null;
        }
        if (read < 5)
        {
            throw new InvalidDataException($"Body ended inside a frame header ({read} bytes).");
        }
        var payload = new byte[BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1))];
        await body.ReadExactlyAsync(payload);
        return (header[0] == 1, payload);
    }

    public static async Task<List<(bool Compressed, byte[] Payload)>> ReadAllMessagesAsync(Stream body)
    {
        var messages = new List<(bool, byte[])>();
        while (await ReadMessageAsync(body) is { } message)
        {
            messages.Add(message);
        }
        return messages;
    }

    /// <summary>Reads the single request message of a unary or server-streaming call as text (gunzipped if flagged).</summary>
    public static async Task<string> ReadTextAsync(HttpRequest request)
    {
        var message = await ReadMessageAsync(request.Body) ?? throw new InvalidDataException("No request message.");
        return Encoding.UTF8.GetString(message.Compressed ? Gunzip(message.Payload) : message.Payload);
    }

    public static void StartResponse(HttpContext context)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/grpc";
    }

    public static Task WriteTextAsync(HttpContext context, string text) => WriteMessageAsync(context, Encoding.UTF8.GetBytes(text));

    public static async Task WriteMessageAsync(HttpContext context, byte[] payload, bool compressed = false)
    {
        await context.Response.Body.WriteAsync(Frame(payload, compressed));
        await context.Response.Body.FlushAsync();
    }

    public static void Finish(HttpContext context, int status = 0, string? message = null)
    {
        context.Response.AppendTrailer("grpc-status", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (message is not null)
        {
            context.Response.AppendTrailer("grpc-message", message);
        }
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
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
}
