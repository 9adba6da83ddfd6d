using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Cauchy.ServiceDefaults.Prometheus;

public static class PrometheusExporterExtensions
{
    /// <summary>Registers the <see cref="PrometheusMetricsCollector"/> singleton, configured from section <c>Metrics</c>.</summary>
    public static IServiceCollection AddPrometheusExporter(this IServiceCollection services)
    {
        services.TryAddSingleton(static provider => new PrometheusMetricsCollector(
            PrometheusExporterOptions.FromConfiguration(provider.GetRequiredService<IConfiguration>()),
            provider.GetService<ILogger<PrometheusMetricsCollector>>()));
        return services;
    }

    /// <summary>Maps <c>GET {path}</c> to a scrape in text format 0.0.4.</summary>
    public static IEndpointConventionBuilder MapPrometheusScrapingEndpoint(this IEndpointRouteBuilder endpoints, string path = "/metrics")
    {
        var collector = endpoints.ServiceProvider.GetRequiredService<PrometheusMetricsCollector>();
        return endpoints.MapGet(path, () => Results.Text(collector.Collect(), PrometheusText.ContentType));
    }
}
