using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;

namespace Cauchy.Grpc.Net.Client.Internal;

/// <summary>
/// The status a call ends with when the transport, not the server's grpc-status, decides it: the spec's
/// "HTTP to gRPC status code mapping" and its RST_STREAM error-code table, and HttpClient's exceptions.
/// </summary>
internal static class TransportStatus
{
    public static StatusCode FromHttpStatus(HttpStatusCode status) => (int)status switch
    {
        400 => StatusCode.Internal,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.Unimplemented,
        429 or 502 or 503 or 504 => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    /// <summary>An HTTP/2 error code (RST_STREAM or GOAWAY) as a gRPC status code.</summary>
    public static StatusCode FromHttp2ErrorCode(long errorCode) => errorCode switch
    {
        0x7 => StatusCode.Unavailable,        // REFUSED_STREAM: the server did no work, the call may be retried
        0x8 => StatusCode.Cancelled,          // CANCEL
        0xb => StatusCode.ResourceExhausted,  // ENHANCE_YOUR_CALM
        0xc => StatusCode.PermissionDenied,   // INADEQUATE_SECURITY
        _ => StatusCode.Internal,
    };

    public static Status FromException(Exception exception, Uri address)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpProtocolException protocolError)
            {
                return new Status(FromHttp2ErrorCode(protocolError.ErrorCode),
                    $"HTTP/2 error code {Http2ErrorName(protocolError.ErrorCode)} from {address.Authority}: {protocolError.Message}", exception);
            }
        }
        switch (exception)
        {
            case HttpRequestException request when IsConnectFailure(request):
                return new Status(StatusCode.Unavailable, $"Error connecting to {address.Authority}: {request.Message}", exception);
            case HttpRequestException or IOException:
                return new Status(StatusCode.Unavailable, $"Error talking to {address.Authority}: {exception.Message}", exception);
            case OperationCanceledException { InnerException: TimeoutException }:
                // A caller-supplied HttpClient's Timeout elapsed.
                return new Status(StatusCode.DeadlineExceeded, $"The HttpClient timeout elapsed: {exception.Message}", exception);
            case OperationCanceledException:
                return new Status(StatusCode.Cancelled, $"The HTTP request was cancelled: {exception.Message}", exception);
            default:
                return new Status(StatusCode.Internal, $"Error in the gRPC call: {exception.GetType().Name}: {exception.Message}", exception);
        }
    }

    private static bool IsConnectFailure(HttpRequestException exception) =>
        exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError ||
        exception.InnerException is SocketException;

    private static string Http2ErrorName(long code) => code switch
    {
        0x0 => "NO_ERROR",
        0x1 => "PROTOCOL_ERROR",
        0x2 => "INTERNAL_ERROR",
        0x3 => "FLOW_CONTROL_ERROR",
        0x4 => "SETTINGS_TIMEOUT",
        0x5 => "STREAM_CLOSED",
        0x6 => "FRAME_SIZE_ERROR",
        0x7 => "REFUSED_STREAM",
        0x8 => "CANCEL",
        0x9 => "COMPRESSION_ERROR",
        0xa => "CONNECT_ERROR",
        0xb => "ENHANCE_YOUR_CALM",
        0xc => "INADEQUATE_SECURITY",
        0xd => "HTTP_1_1_REQUIRED",
        _ => "0x" + code.ToString("x", CultureInfo.InvariantCulture),
    };
}
