using Cauchy.Platform.Tests.Infrastructure;
using Xunit;

namespace Cauchy.Platform.Tests.Platform;

/// <summary>
/// "A standard gRPC health check of every port answers SERVING": checked with grpc-js and the standard
/// grpc.health.v1 proto, as grpc-health-probe or a Kubernetes gRPC probe would.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class HealthCheckTests(PlatformFixture fixture)
{
    private const int NotFound = 5;

    [Theory]
    [MemberData(nameof(PlatformService.Names), MemberType = typeof(PlatformService))]
    public async Task WholeServerHealthCheck_AnswersServing(string name)
    {
        var service = PlatformService.Named(name);

        var result = (await fixture.HealthAsync(service))[""];

        Assert.True(result is { Code: 0, Status: "SERVING" }, $"{service.Name}: {result}");
    }

    [Theory]
    [MemberData(nameof(PlatformService.Names), MemberType = typeof(PlatformService))]
    public async Task HealthCheckOfItsCauchyService_AnswersServing(string name)
    {
        var service = PlatformService.Named(name);

        var result = (await fixture.HealthAsync(service))[service.GrpcService];

        Assert.True(result is { Code: 0, Status: "SERVING" }, $"{service.Name}: {result}");
    }

    [Theory]
    [MemberData(nameof(PlatformService.Names), MemberType = typeof(PlatformService))]
    public async Task HealthCheckOfAnUnknownService_AnswersNotFound(string name)
    {
        var service = PlatformService.Named(name);

        var result = (await fixture.HealthAsync(service))[PlatformFixture.UnknownService];

        Assert.True(result.Code == NotFound, $"{service.Name} must answer NOT_FOUND: {result}");
    }

    [Theory]
    [MemberData(nameof(PlatformService.Names), MemberType = typeof(PlatformService))]
    public async Task HealthCheckOfAnotherServicesName_AnswersNotFound(string name)
    {
        // Each process serves its own cauchy.v1 service only; it must not vouch for a neighbour.
        var service = PlatformService.Named(name);

        var result = (await fixture.HealthAsync(service))[PlatformFixture.Neighbour(service).GrpcService];

        Assert.True(result.Code == NotFound, $"{service.Name} must answer NOT_FOUND: {result}");
    }
}
