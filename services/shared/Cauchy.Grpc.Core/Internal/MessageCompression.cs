using System.Buffers;
using System.IO.Compression;
using Grpc.Core;

namespace Cauchy.Grpc.Internal;

/// <summary>gzip message compression (the only algorithm besides identity that we speak), bounded on the way in.</summary>
public static class MessageCompression
{
    public static bool IsSupported(string? encoding) =>
        encoding is null || encoding.Equals(GrpcProtocol.IdentityEncoding, StringComparison.OrdinalIgnoreCase) ||
        encoding.Equals(GrpcProtocol.GzipEncoding, StringComparison.OrdinalIgnoreCase);

    public static bool IsGzip(string? encoding) =>
        encoding is not null && encoding.Equals(GrpcProtocol.GzipEncoding, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="acceptEncoding"/> (a grpc-accept-encoding value) lists <paramref name="encoding"/>.</summary>
    public static bool Accepts(string? acceptEncoding, string encoding)
    {
        if (acceptEncoding is null)
        {
            return false;
        }
        foreach (var part in acceptEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Equals(encoding, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    public static byte[] Compress(ReadOnlySpan<byte> payload, CompressionLevel level = CompressionLevel.Fastest)
    {
        using var output = new MemoryStream(payload.Length / 2 + 64);
        using (var gzip = new GZipStream(output, level, leaveOpen: true))
        {
            gzip.Write(payload);
        }
        return output.ToArray();
    }

    /// <summary>
    /// Decompresses a gzip message. Stops at <paramref name="maxLength"/> bytes and throws RESOURCE_EXHAUSTED,
    /// so a small compressed message cannot expand without bound; malformed data is INTERNAL.
    /// </summary>
    public static byte[] Decompress(ReadOnlySequence<byte> compressed, int maxLength)
    {
        try
        {
            using var input = new MemoryStream(compressed.ToArray(), writable: false);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = ArrayPool<byte>.Shared.Rent(81920);
            try
            {
                int read;
                while ((read = gzip.Read(buffer, 0, buffer.Length)) > 0)
                {
                    if (output.Length + read > maxLength)
                    {
                        throw new RpcException(new Status(StatusCode.ResourceExhausted,
                            $"Received message larger than max ({maxLength} bytes) after decompression."));
                    }
                    output.Write(buffer, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            return output.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Failed to decompress message: the gzip data is malformed.", ex));
        }
    }
}
