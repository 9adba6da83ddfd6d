using Cauchy.Grpc.Internal;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Cauchy.Grpc.AspNetCore.Internal;

/// <summary>
/// The catch-all endpoint for gRPC requests (POST, gRPC content type) to paths no method endpoint serves:
/// answers UNIMPLEMENTED as a trailers-only response, telling an unknown method of a mapped service from an
/// unknown service. With IgnoreUnknownServices, unknown services never match (see <see cref="Constraint"/>).
/// </summary>
internal sealed class UnimplementedCallHandler(GrpcServiceCatalog catalog, bool ignoreUnknownServices, ILogger logger)
{
    public const string ServiceRouteKey = "unimplementedService";
    public const string MethodRouteKey = "unimplementedMethod";

    public IRouteConstraint Constraint => new UnimplementedConstraint(this);

    public Task HandleAsync(HttpContext httpContext)
    {
        if (!GrpcRequestValidator.TryAccept(httpContext, logger))
        {
            return Task.CompletedTask;
        }
        var service = httpContext.GetRouteValue(ServiceRouteKey) as string ?? "";
        var reason = catalog.Find(service) is null ? "Service is unimplemented." : "Method is unimplemented.";
        GrpcServerLog.Unimplemented(logger, httpContext.Request.Path.Value ?? "", reason);
        var headers = httpContext.Response.Headers;
        headers.ContentType = GrpcProtocol.ContentType;
        headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodings;
        headers[GrpcProtocol.StatusHeader] = ((int)StatusCode.Unimplemented).ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers[GrpcProtocol.MessageHeader] = reason;
        return Task.CompletedTask;
    }

    private bool Matches(HttpContext httpContext, RouteValueDictionary values)
    {
        if (!HttpMethods.IsPost(httpContext.Request.Method) || !GrpcProtocol.IsGrpcContentType(httpContext.Request.ContentType))
        {
            return false;
        }
        return !ignoreUnknownServices || (values.TryGetValue(ServiceRouteKey, out var service) && service is string name && catalog.Find(name) is not null);
    }

    private sealed class UnimplementedConstraint(UnimplementedCallHandler owner) : IRouteConstraint
    {
        public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
            httpContext is not null && routeDirection == RouteDirection.IncomingRequest && owner.Matches(httpContext, values);
    }
}
