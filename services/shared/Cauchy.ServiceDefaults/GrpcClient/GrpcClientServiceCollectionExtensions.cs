using Cauchy.ServiceDefaults.Security;
using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Cauchy.ServiceDefaults.GrpcClient;

public static class GrpcClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TClient"/> as a singleton talking to <c>Services:&lt;serviceName&gt;:Address</c>
    /// through the resilience pipeline: <c>services.AddGrpcServiceClient&lt;Datasets.DatasetsClient&gt;("Datasets")</c>.
    /// </summary>
    public static IServiceCollection AddGrpcServiceClient<TClient>(this IServiceCollection services, string serviceName)
        where TClient : ClientBase<TClient>
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        services.TryAddSingleton(static provider => new GrpcServiceClientFactory(
            provider.GetRequiredService<IConfiguration>(),
            provider.GetService<ILoggerFactory>(),
            provider.GetService<TimeProvider>(),
            provider.GetService<OutgoingServiceCredential>()));
        services.AddSingleton(provider => provider.GetRequiredService<GrpcServiceClientFactory>().CreateClient<TClient>(serviceName));
        return services;
    }
}
