using Grpc.HealthCheck;
using Microsoft.AspNetCore.Routing;

// The namespace of WebApplication's mapping methods, as in the official Grpc.AspNetCore.HealthChecks package.
namespace Microsoft.AspNetCore.Builder;

public static class GrpcHealthChecksEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps grpc.health.v1.Health. Requires <c>services.AddGrpcHealthChecks()</c>, which registers the
    /// one status table that the application's lifetime and health checks keep up to date.
    /// </summary>
    public static GrpcServiceEndpointConventionBuilder MapGrpcHealthChecksService(this IEndpointRouteBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Without the registration every call would get a fresh, empty table and answer NOT_FOUND.
        if (builder.ServiceProvider.GetService(typeof(HealthServiceImpl)) is null)
        {
            throw new InvalidOperationException("The gRPC health service is not registered: call services.AddGrpcHealthChecks() before MapGrpcHealthChecksService.");
        }
        return builder.MapGrpcService<HealthServiceImpl>();
    }
}
