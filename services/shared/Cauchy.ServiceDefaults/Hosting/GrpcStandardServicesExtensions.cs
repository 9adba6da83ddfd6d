using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Cauchy.ServiceDefaults.Hosting;

public static class GrpcStandardServicesExtensions
{
    /// <summary>
    /// grpc.health.v1 (Grpc.AspNetCore.HealthChecks) driven by the ASP.NET Core health checks, with
    /// <see cref="ApplicationLifetimeHealthCheck"/> among them and a status for every mapped gRPC service, plus server
    /// reflection (v1 and v1alpha). Returns the health checks builder so a service can add checks of its dependencies.
    /// Map the services with <c>MapGrpcHealthChecksService()</c> and <c>MapGrpcReflectionService()</c>.
    /// </summary>
    public static IHealthChecksBuilder AddGrpcHealthAndReflection(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var health = services.AddGrpcHealthChecks();
        if (!services.Any(static d => d.ServiceType == typeof(ApplicationLifetimeHealthCheck)))
        {
            services.TryAddSingleton<ApplicationLifetimeHealthCheck>();
            health.AddCheck<ApplicationLifetimeHealthCheck>(ApplicationLifetimeHealthCheck.Name);
        }

        services.TryAddSingleton<MappedServicesHealth>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MappedServicesHealth>(static provider => provider.GetRequiredService<MappedServicesHealth>()));
        services.AddGrpcReflection();
        return health;
    }

    /// <summary>
    /// Maps grpc.health.v1.Health and server reflection (v1 and v1alpha) on this route builder, and gives each gRPC
    /// service mapped on it, before or after this call, a health status of its own.
    /// </summary>
    public static IEndpointRouteBuilder MapGrpcHealthAndReflection(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGrpcHealthChecksService();
        endpoints.MapGrpcReflectionService();
        endpoints.ServiceProvider.GetRequiredService<MappedServicesHealth>().Routes = endpoints;
        return endpoints;
    }
}
