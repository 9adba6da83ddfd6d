using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Grpc.AspNetCore.HealthChecks;

/// <summary>
/// How the gRPC health service derives each service's status from the application's lifetime and
/// from the ASP.NET Core health checks registered with <c>AddGrpcHealthChecks().AddCheck(...)</c>.
/// </summary>
public sealed class GrpcHealthChecksOptions
{
    private readonly Dictionary<string, Func<HealthCheckRegistration, bool>> _dependencies = new(StringComparer.Ordinal);

    /// <summary>How often the health checks run again while the server is up.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether open Watch calls end when the application begins to stop (after they have sent
    /// NOT_SERVING). On by default: otherwise they hold the server until its shutdown timeout.
    /// </summary>
    public bool CompleteWatchesOnShutdown { get; set; } = true;

    /// <summary>
    /// The services whose status depends on only some health checks, by full service name
    /// ("" for the server as a whole). A service not mapped here depends on every health check.
    /// </summary>
    public IReadOnlyDictionary<string, Func<HealthCheckRegistration, bool>> Dependencies => _dependencies;

    /// <summary>
    /// Ties <paramref name="service"/>'s status to the health checks <paramref name="predicate"/> selects:
    /// it is NOT_SERVING while any of them is unhealthy. A name that no mapped gRPC service has is
    /// reported too, so a component (e.g. "database") can have a status of its own.
    /// </summary>
    public GrpcHealthChecksOptions Map(string service, Func<HealthCheckRegistration, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(predicate);
        _dependencies[service] = predicate;
        return this;
    }
}
