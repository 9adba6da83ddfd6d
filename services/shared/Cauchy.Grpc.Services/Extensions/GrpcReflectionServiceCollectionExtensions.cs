using Cauchy.Grpc.Services.Mapping;
using Grpc.Reflection;
using Microsoft.Extensions.DependencyInjection.Extensions;

// The namespace of IServiceCollection, as in the official Grpc.AspNetCore.Server.Reflection package.
namespace Microsoft.Extensions.DependencyInjection;

public static class GrpcReflectionServiceCollectionExtensions
{
    /// <summary>
    /// Registers gRPC server reflection (v1 and v1alpha). It describes every service mapped with
    /// <c>MapGrpcService</c>, itself and the health service included, and the files they import.
    /// </summary>
    public static IServiceCollection AddGrpcReflection(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        // Idempotent; ensures the service catalogue exists whichever of AddGrpc/AddGrpcReflection comes first.
        services.AddGrpc();
        services.TryAddSingleton<IMappedServices, CatalogMappedServices>();
        services.TryAddSingleton(provider => new ReflectionServiceImpl(provider.GetRequiredService<IMappedServices>()));
        services.TryAddSingleton(provider => new ReflectionV1ServiceImpl(provider.GetRequiredService<IMappedServices>()));
        return services;
    }
}
