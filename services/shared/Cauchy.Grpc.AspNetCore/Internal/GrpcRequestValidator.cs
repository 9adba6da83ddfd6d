using Cauchy.Grpc.Internal;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cauchy.Grpc.AspNetCore.Internal;

/// <summary>
/// Turns away requests that are not gRPC before any call state exists: a method other than POST or a content
/// type other than application/grpc[+…] gets HTTP 415, and HTTP/1.x gets HTTP 426 (gRPC needs HTTP/2
/// trailers). Both carry grpc-status INTERNAL and a grpc-message saying why, for gRPC clients and for people
/// with curl alike.
/// </summary>
internal static class GrpcRequestValidator
{
    public static bool TryAccept(HttpContext httpContext, ILogger logger)
    {
        var request = httpContext.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            Reject(httpContext, logger, StatusCodes.Status415UnsupportedMediaType,
                $"Request method '{request.Method}' is not supported; gRPC requests use POST.");
            return false;
        }
        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            Reject(httpContext, logger, StatusCodes.Status415UnsupportedMediaType,
                $"Content-Type '{request.ContentType}' is not supported; gRPC requests use application/grpc.");
            return false;
        }
        if (!IsHttp2OrLater(request.Protocol))
        {
            httpContext.Response.Headers.Upgrade = "HTTP/2.0";
            Reject(httpContext, logger, StatusCodes.Status426UpgradeRequired,
                $"Request protocol '{request.Protocol}' is not supported; gRPC needs HTTP/2.");
            return false;
        }
        return true;
    }

    public static bool IsHttp2OrLater(string protocol) => HttpProtocol.IsHttp2(protocol) || HttpProtocol.IsHttp3(protocol);

    private static void Reject(HttpContext httpContext, ILogger logger, int httpStatus, string reason)
    {
        GrpcServerLog.RequestRejected(logger, httpContext.Request.Path.Value ?? "", httpStatus, reason);
        var response = httpContext.Response;
        response.StatusCode = httpStatus;
        response.Headers[GrpcProtocol.StatusHeader] = ((int)StatusCode.Internal).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers[GrpcProtocol.MessageHeader] = GrpcProtocol.EncodeStatusMessage(reason);
    }
}
