using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Cauchy.ServiceDefaults.Hosting;

/// <summary>
/// Ties health to the application's lifetime: unhealthy until the host has started, healthy while it runs, and
/// unhealthy again from the moment it begins to stop (SIGTERM), so load balancers and Kubernetes probes drain a
/// service while its in-flight calls finish. Every service has it; services add checks of their dependencies beside it.
/// </summary>
public sealed class ApplicationLifetimeHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public const string Name = "lifetime";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            lifetime.ApplicationStopping.IsCancellationRequested ? HealthCheckResult.Unhealthy("the service is stopping")
            : lifetime.ApplicationStarted.IsCancellationRequested ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("the service is starting"));
}
