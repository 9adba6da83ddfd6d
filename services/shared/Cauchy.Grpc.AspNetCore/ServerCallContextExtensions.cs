using Cauchy.Grpc.AspNetCore.Internal;
using Microsoft.AspNetCore.Http;

namespace Grpc.Core;

/// <summary>ASP.NET Core details of a call, as in the official Grpc.AspNetCore.Server.</summary>
public static class ServerCallContextExtensions
{
    /// <summary>
    /// The call's <see cref="HttpContext"/>: connection details, the client certificate, features such as
    /// <c>IHttpResetFeature</c> (to abort the stream with an HTTP/2 error code instead of a gRPC status).
    /// </summary>
    public static HttpContext GetHttpContext(this ServerCallContext serverCallContext)
    {
        ArgumentNullException.ThrowIfNull(serverCallContext);
        if (serverCallContext is GrpcServerCallContext call)
        {
            return call.HttpContext;
        }
        // Interceptors may hand the handler a context of their own that forwards UserState.
        if (serverCallContext.UserState.TryGetValue(GrpcServerCallContext.HttpContextKey, out var value) && value is HttpContext httpContext)
        {
            return httpContext;
        }
        throw new InvalidOperationException("Could not get the HttpContext from this ServerCallContext; it does not belong to an ASP.NET Core call.");
    }
}
