using Cauchy.Grpc.AspNetCore;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Cauchy.Grpc.Tests.Standard.Integration;

/// <summary>How a Program.cs wires the standard services, checked without starting a server.</summary>
public sealed class StandardServicesWiringTests
{
    [Fact]
    public async Task AddGrpcHealthChecksAndReflection_WithoutAddGrpc_MapAllThreeStandardServices()
    {
        var builder = Builder();
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddGrpcReflection();
        await using var app = builder.Build();

        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();

        Assert.Equal(
            ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"],
            app.Services.GetRequiredService<GrpcServiceCatalog>().Services.Select(service => service.Name));
        Assert.All(app.Services.GetRequiredService<GrpcServiceCatalog>().Services, service => Assert.NotNull(service.Descriptor));
    }

    [Fact]
    public async Task AddGrpcHealthChecks_TwiceOrAfterAddGrpc_KeepsOneStatusTableAndOneMonitor()
    {
        var builder = Builder();
        builder.Services.AddGrpc();
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddGrpcHealthChecks();
        await using var app = builder.Build();

        Assert.Same(app.Services.GetRequiredService<HealthServiceImpl>(), app.Services.GetRequiredService<HealthServiceImpl>());
        Assert.Single(app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>(),
            service => service.GetType().Name == "GrpcHealthChecksMonitor");
    }

    [Fact]
    public async Task MapGrpcHealthChecksService_WithoutAddGrpcHealthChecks_SaysWhatIsMissing()
    {
        var builder = Builder();
        builder.Services.AddGrpc();
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapGrpcHealthChecksService());

        Assert.Contains("AddGrpcHealthChecks", error.Message);
    }

    [Fact]
    public async Task MapGrpcReflectionService_WithoutAddGrpcReflection_SaysWhatIsMissing()
    {
        var builder = Builder();
        builder.Services.AddGrpc();
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapGrpcReflectionService());

        Assert.Contains("AddGrpcReflection", error.Message);
    }

    [Fact]
    public async Task MapGrpcReflectionService_ConventionsReachBothVersions()
    {
        var builder = Builder();
        builder.Services.AddGrpcReflection();
        await using var app = builder.Build();
        var marker = new object();

        app.MapGrpcReflectionService().WithMetadata(marker);

        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.RoutePattern.RawText?.Contains("ServerReflectionInfo", StringComparison.Ordinal) == true)
            .ToArray();
        Assert.Equal(2, endpoints.Length);
        Assert.All(endpoints, endpoint => Assert.Contains(marker, endpoint.Metadata));
    }

    private static WebApplicationBuilder Builder()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        return builder;
    }
}
