using Cauchy.Grpc.Services.Mapping;
using Grpc.AspNetCore.HealthChecks;
using Grpc.HealthCheck;
using Microsoft.Extensions.DependencyInjection.Extensions;

// The namespace of IServiceCollection, as in the official Grpc.AspNetCore.HealthChecks package, so
// Program.cs needs no extra using.
namespace Microsoft.Extensions.DependencyInjection;

public static class GrpcHealthChecksServiceCollectionExtensions
{
    /// <summary>
    /// Registers the grpc.health.v1 service: every mapped service (and "" for the server) reports
    /// NOT_SERVING until the application has started, then SERVING while the health checks added to
    /// the returned builder pass, and NOT_SERVING again from the moment the application begins to stop.
    /// </summary>
    public static IHealthChecksBuilder AddGrpcHealthChecks(this IServiceCollection services) =>
        services.AddGrpcHealthChecks(_ => { });

    /// <inheritdoc cref="AddGrpcHealthChecks(IServiceCollection)"/>
    public static IHealthChecksBuilder AddGrpcHealthChecks(this IServiceCollection services, Action<GrpcHealthChecksOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        // Idempotent; ensures the service catalogue exists whichever of AddGrpc/AddGrpcHealthChecks comes first.
        services.AddGrpc();
        services.Configure(configure);
        services.TryAddSingleton<HealthServiceImpl>();
        services.TryAddSingleton<IMappedServices, CatalogMappedServices>();
        services.AddHostedService<GrpcHealthChecksMonitor>();
        return services.AddHealthChecks();
    }
}
