using System.Net.Http.Headers;
using Cauchy.Grpc.Internal;
using Grpc.Core;

namespace Cauchy.Grpc.Tests.Server.Infrastructure;

/// <summary>A whole gRPC response as the wire delivered it: HTTP status, headers, frames, trailers.</summary>
public sealed record GrpcResult(int HttpStatus, string? ContentType, HttpResponseHeaders Headers, HttpResponseHeaders Trailers, List<ReceivedFrame> Frames)
{
    /// <summary>grpc-status came in the headers (HEADERS with END_STREAM), with no body and no trailers.</summary>
    public bool IsTrailersOnly => Headers.Contains(GrpcProtocol.StatusHeader) && Frames.Count == 0 && !Trailers.Any();

    public StatusCode Status => GrpcProtocol.ParseStatusCode(Get(GrpcProtocol.StatusHeader) ?? throw new InvalidOperationException("No grpc-status in the response."));

    public string Message => GrpcProtocol.DecodeStatusMessage(Get(GrpcProtocol.MessageHeader));

    public string[] Texts => Frames.Select(frame => frame.Text).ToArray();

    /// <summary>A status field from the trailers, or from the headers of a trailers-only response.</summary>
    public string? Get(string name) =>
        Trailers.TryGetValues(name, out var values) ? string.Join(",", values)
        : Headers.TryGetValues(name, out values) ? string.Join(",", values)
        : null;

    public static GrpcResult From(HttpResponseMessage response, byte[] body) =>
        new((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), response.Headers, response.TrailingHeaders, GrpcFrames.Parse(body));
}
