using Cauchy.Platform.Tests.Infrastructure;
using Cauchy.Platform.Tests.Node;
using Xunit;

namespace Cauchy.Platform.Tests.Platform;

/// <summary>
/// "A standard gRPC health check of every port answers SERVING": checked with grpc-js and the standard
/// grpc.health.v1 proto, as grpc-health-probe or a Kubernetes gRPC probe would.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class HealthCheckTests(PlatformFixture fixture)
{
    [Theory]
    [MemberData(nameof(PlatformService.Names), MemberType = typeof(PlatformService))]
    public async Task WholeServerHealthCheck_AnswersServing(string name)
    {
        var service = PlatformService.Named(name);

        var result = await NodeProbe.CheckHealthAsync(fixture.Platform.GrpcAddress(service), "");

        Assert.True(result is { Code: 0, Status: "SERVING" }, $"Health/Check(\"\") on {service.Name}: {result}");
    }

    [Theory]
    [MemberData(nameof(PlatformService.Names), MemberType = typeof(PlatformService))]
    public async Task HealthCheckOfItsCauchyService_AnswersServing(string name)
    {
        var service = PlatformService.Named(name);

        var result = await NodeProbe.CheckHealthAsync(fixture.Platform.GrpcAddress(service), service.GrpcService);

        Assert.True(result is { Code: 0, Status: "SERVING" }, $"Health/Check(\"{service.GrpcService}\") on {service.Name}: {result}");
    }

    [Theory]
    [MemberData(nameof(PlatformService.Names), MemberType = typeof(PlatformService))]
    public async Task HealthCheckOfAnUnknownService_AnswersNotFound(string name)
    {
        var service = PlatformService.Named(name);

        var result = await NodeProbe.CheckHealthAsync(fixture.Platform.GrpcAddress(service), "cauchy.v1.NoSuchService");

        const int NotFound = 5;
        Assert.True(result.Code == NotFound, $"Health/Check(\"cauchy.v1.NoSuchService\") on {service.Name} must fail with NOT_FOUND: {result}");
    }

    [Theory]
    [MemberData(nameof(PlatformService.Names), MemberType = typeof(PlatformService))]
    public async Task HealthCheckOfAnotherServicesName_AnswersNotFound(string name)
    {
        // Each process serves its own cauchy.v1 service only; it must not vouch for a neighbour.
        var service = PlatformService.Named(name);
        var other = PlatformService.All[(PlatformService.All.ToList().IndexOf(service) + 1) % PlatformService.All.Count];

        var result = await NodeProbe.CheckHealthAsync(fixture.Platform.GrpcAddress(service), other.GrpcService);

        const int NotFound = 5;
        Assert.True(result.Code == NotFound, $"Health/Check(\"{other.GrpcService}\") on {service.Name} must fail with NOT_FOUND: {result}");
    }
}
