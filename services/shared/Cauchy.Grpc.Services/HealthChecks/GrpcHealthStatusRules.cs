using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Grpc.AspNetCore.HealthChecks;

/// <summary>
/// Turns a health report into a serving status per gRPC service. Kept apart from the hosted
/// service that runs it so the rules can be tested without a host or a clock.
/// </summary>
internal static class GrpcHealthStatusRules
{
    /// <summary>
    /// The status of the server as a whole (""), of every mapped service and of every name mapped in
    /// <paramref name="options"/>: SERVING unless a health check it depends on is unhealthy (or did
    /// not report). Degraded counts as serving: the service still answers, only less well.
    /// </summary>
    public static IReadOnlyDictionary<string, ServingStatus> Evaluate(
        IEnumerable<string> mappedServices,
        GrpcHealthChecksOptions options,
        IEnumerable<HealthCheckRegistration> registrations,
        HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(mappedServices);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registrations);
        ArgumentNullException.ThrowIfNull(report);
        var checks = registrations.ToArray();
        var statuses = new Dictionary<string, ServingStatus>(StringComparer.Ordinal);
        foreach (var service in ServiceNames(mappedServices, options))
        {
            var dependsOn = options.Dependencies.TryGetValue(service, out var predicate) ? checks.Where(predicate) : checks;
            statuses[service] = dependsOn.Any(check => IsFailing(check.Name, report)) ? ServingStatus.NotServing : ServingStatus.Serving;
        }
        return statuses;
    }

    /// <summary>"" first, then the mapped services, then names only the options mention; each once.</summary>
    public static IEnumerable<string> ServiceNames(IEnumerable<string> mappedServices, GrpcHealthChecksOptions options) =>
        new[] { "" }.Concat(mappedServices).Concat(options.Dependencies.Keys).Distinct(StringComparer.Ordinal);

    /// <summary>The names of the checks in <paramref name="report"/> that make a service depending on them not serve.</summary>
    public static IEnumerable<string> FailingChecks(HealthReport report) =>
        report.Entries.Where(entry => entry.Value.Status == HealthStatus.Unhealthy).Select(entry => entry.Key).Order(StringComparer.Ordinal);

    // A check missing from the report has not shown it is healthy; readiness errs on the safe side.
    private static bool IsFailing(string check, HealthReport report) =>
        !report.Entries.TryGetValue(check, out var entry) || entry.Status == HealthStatus.Unhealthy;
}
