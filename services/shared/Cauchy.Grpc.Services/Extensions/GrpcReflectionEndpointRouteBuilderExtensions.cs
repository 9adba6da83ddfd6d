using Cauchy.Grpc.Services.Extensions;
using Grpc.Reflection;
using Microsoft.AspNetCore.Routing;

// The namespace of WebApplication's mapping methods, as in the official Grpc.AspNetCore.Server.Reflection package.
namespace Microsoft.AspNetCore.Builder;

public static class GrpcReflectionEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps server reflection, v1 and v1alpha (tools speak one or the other). Conventions added to
    /// the returned builder (<c>RequireHost</c>, <c>RequireAuthorization</c>, …) apply to both.
    /// Requires <c>services.AddGrpcReflection()</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapGrpcReflectionService(this IEndpointRouteBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.ServiceProvider.GetService(typeof(ReflectionV1ServiceImpl)) is null)
        {
            throw new InvalidOperationException("gRPC reflection is not registered: call services.AddGrpcReflection() before MapGrpcReflectionService.");
        }
        return new CompositeEndpointConventionBuilder(
        [
            builder.MapGrpcService<ReflectionV1ServiceImpl>(),
            builder.MapGrpcService<ReflectionServiceImpl>(),
        ]);
    }
}
