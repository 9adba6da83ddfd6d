using System.Buffers;
using Cauchy.Grpc.Internal;
using Grpc.Core;

namespace Cauchy.Grpc.AspNetCore.Internal;

/// <summary>Finds length-prefixed messages in received bytes, checking each header as soon as its five bytes are in.</summary>
internal static class RequestFrameParser
{
    /// <summary>
    /// Takes one whole message off the front of <paramref name="buffer"/>. False when more bytes are needed.
    /// Throws INTERNAL for a bad compressed flag and RESOURCE_EXHAUSTED when the announced length is over
    /// <paramref name="maxMessageSize"/>, before the payload is waited for.
    /// </summary>
    public static bool TryParse(ref ReadOnlySequence<byte> buffer, int maxMessageSize, out ReadOnlySequence<byte> payload, out bool compressed)
    {
        payload = default;
        compressed = false;
        if (buffer.Length < GrpcProtocol.FrameHeaderSize)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[GrpcProtocol.FrameHeaderSize];
        buffer.Slice(0, GrpcProtocol.FrameHeaderSize).CopyTo(header);
        if (!GrpcProtocol.TryReadFrameHeader(header, out compressed, out var length))
        {
            throw new RpcException(new Status(StatusCode.Internal, $"Invalid compressed flag {header[0]} in a message header; it must be 0 or 1."));
        }
        if (length > (uint)maxMessageSize)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size."));
        }
        if (buffer.Length - GrpcProtocol.FrameHeaderSize < length)
        {
            return false;
        }
        payload = buffer.Slice(GrpcProtocol.FrameHeaderSize, length);
        buffer = buffer.Slice(payload.End);
        return true;
    }
}
