using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Prometheus;

namespace Cauchy.ServiceDefaults.Telemetry;

/// <summary>
/// One prometheus-net <see cref="CollectorRegistry"/> per host, and <c>GET /metrics</c> serving it. A registry of the
/// host's own, not the static <see cref="Metrics.DefaultRegistry"/>: tests start several services in one process, and
/// each must report only its own calls and gauges.
/// </summary>
public static class PrometheusMetricsExtensions
{
    /// <summary>
    /// Registers the host's <see cref="CollectorRegistry"/> (with prometheus-net's process and .NET metrics) and an
    /// <see cref="IMetricFactory"/> over it, which is how a service defines its own series.
    /// </summary>
    public static IServiceCollection AddPrometheusMetrics(this IServiceCollection services)
    {
        services.TryAddSingleton(static _ =>
        {
            var registry = Metrics.NewCustomRegistry();
            DotNetStats.Register(registry);
            return registry;
        });
        services.TryAddSingleton<IMetricFactory>(static provider =>
        {
            var factory = Metrics.WithCustomRegistry(provider.GetRequiredService<CollectorRegistry>());
            // Exemplars are written only in OpenMetrics, which /metrics does not offer: taking one from the current
            // trace on every increment would be work nobody reads.
            factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();
            return factory;
        });
        return services;
    }

    /// <summary>
    /// Maps <c>GET {pattern}</c> to the host's registry in the Prometheus text format 0.0.4. No meter adapter is started
    /// on that registry, so the output holds exactly the series defined through <see cref="IMetricFactory"/> plus the
    /// process and .NET metrics; OpenMetrics is off because it would add nothing but exemplars, and the format stays the
    /// one every Prometheus and promtool reads.
    /// </summary>
    public static IEndpointConventionBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var registry = endpoints.ServiceProvider.GetRequiredService<CollectorRegistry>();
        return endpoints.MapMetrics(
            settings =>
            {
                settings.Registry = registry;
                settings.EnableOpenMetrics = false;
            },
            pattern);
    }
}
