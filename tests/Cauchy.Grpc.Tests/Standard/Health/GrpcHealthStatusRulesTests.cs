using Grpc.AspNetCore.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cauchy.Grpc.Tests.Standard.Health;

public sealed class GrpcHealthStatusRulesTests
{
    private static readonly string[] Mapped = ["cauchy.v1.Jobs", "grpc.health.v1.Health"];

    [Fact]
    public void Evaluate_NoHealthChecks_EveryServiceAndTheServerServe()
    {
        var statuses = GrpcHealthStatusRules.Evaluate(Mapped, new GrpcHealthChecksOptions(), [], Report());

        Assert.Equal(["", "cauchy.v1.Jobs", "grpc.health.v1.Health"], statuses.Keys.Order());
        Assert.All(statuses.Values, status => Assert.Equal(ServingStatus.Serving, status));
    }

    [Fact]
    public void Evaluate_UnhealthyCheck_StopsEveryServiceThatIsNotMappedAway()
    {
        var options = new GrpcHealthChecksOptions().Map("grpc.health.v1.Health", _ => false);

        var statuses = GrpcHealthStatusRules.Evaluate(
            Mapped, options, [Registration("database")], Report(("database", HealthStatus.Unhealthy)));

        Assert.Equal(ServingStatus.NotServing, statuses[""]);
        Assert.Equal(ServingStatus.NotServing, statuses["cauchy.v1.Jobs"]);
        Assert.Equal(ServingStatus.Serving, statuses["grpc.health.v1.Health"]);
    }

    [Fact]
    public void Evaluate_MappedService_DependsOnlyOnTheChecksItsPredicateSelects()
    {
        var options = new GrpcHealthChecksOptions().Map("cauchy.v1.Jobs", check => check.Tags.Contains("jobs"));
        var registrations = new[] { Registration("database", "jobs"), Registration("object-store", "datasets") };

        var storeDown = GrpcHealthStatusRules.Evaluate(
            Mapped, options, registrations, Report(("database", HealthStatus.Healthy), ("object-store", HealthStatus.Unhealthy)));
        var databaseDown = GrpcHealthStatusRules.Evaluate(
            Mapped, options, registrations, Report(("database", HealthStatus.Unhealthy), ("object-store", HealthStatus.Healthy)));

        Assert.Equal(ServingStatus.Serving, storeDown["cauchy.v1.Jobs"]);
        Assert.Equal(ServingStatus.NotServing, storeDown[""]);
        Assert.Equal(ServingStatus.NotServing, databaseDown["cauchy.v1.Jobs"]);
    }

    [Fact]
    public void Evaluate_DegradedCheck_StillServes()
    {
        var statuses = GrpcHealthStatusRules.Evaluate(
            Mapped, new GrpcHealthChecksOptions(), [Registration("cache")], Report(("cache", HealthStatus.Degraded)));

        Assert.All(statuses.Values, status => Assert.Equal(ServingStatus.Serving, status));
    }

    [Fact]
    public void Evaluate_CheckMissingFromTheReport_CountsAsFailing()
    {
        var statuses = GrpcHealthStatusRules.Evaluate(Mapped, new GrpcHealthChecksOptions(), [Registration("database")], Report());

        Assert.Equal(ServingStatus.NotServing, statuses[""]);
    }

    [Fact]
    public void Evaluate_NameMappedOnlyInOptions_GetsAStatusOfItsOwn()
    {
        var options = new GrpcHealthChecksOptions().Map("database", check => check.Name == "database");

        var statuses = GrpcHealthStatusRules.Evaluate(
            Mapped, options, [Registration("database"), Registration("queue")],
            Report(("database", HealthStatus.Healthy), ("queue", HealthStatus.Unhealthy)));

        Assert.Equal(ServingStatus.Serving, statuses["database"]);
        Assert.Equal(ServingStatus.NotServing, statuses[""]);
    }

    private static HealthCheckRegistration Registration(string name, params string[] tags) =>
        new(name, _ => new DelegateCheck(), HealthStatus.Unhealthy, tags);

    private static HealthReport Report(params (string Name, HealthStatus Status)[] entries) =>
        new(entries.ToDictionary(
                entry => entry.Name,
                entry => new HealthReportEntry(entry.Status, null, TimeSpan.Zero, null, null)),
            TimeSpan.Zero);

    // The rules only read registrations' names and tags; the check itself never runs here.
    private sealed class DelegateCheck : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(HealthCheckResult.Healthy());
    }
}
