using Cauchy.Grpc.AspNetCore;
using Grpc.AspNetCore.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the gRPC server, as the official Grpc.AspNetCore package does.</summary>
public static class GrpcServicesExtensions
{
    public static IGrpcServerBuilder AddGrpc(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddRouting();
        services.AddOptions();
        services.AddLogging();
        services.TryAddSingleton<GrpcServiceCatalog>();
        return new GrpcServerBuilder(services);
    }

    public static IGrpcServerBuilder AddGrpc(this IServiceCollection services, Action<GrpcServiceOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(configureOptions);
        var builder = services.AddGrpc();
        services.Configure(configureOptions);
        return builder;
    }
}
