using Cauchy.Grpc.AspNetCore;
using Cauchy.Grpc.Tests.Server.Infrastructure;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Cauchy.Grpc.Tests.Server;

public sealed class ServiceCatalogTests
{
    [Fact]
    public async Task Catalog_lists_mapped_services_in_order_with_methods_and_descriptors()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions
        {
            Map = endpoints =>
            {
                endpoints.MapGrpcService<ScriptedTestService>();
                endpoints.MapGrpcService<DescribedService>();
            },
        });

        var catalog = host.App.Services.GetRequiredService<GrpcServiceCatalog>();

        Assert.Equal([TestServiceDefinition.ServiceName, Described.ServiceName], catalog.Services.Select(service => service.Name));
        var tests = catalog.Find(TestServiceDefinition.ServiceName)!;
        Assert.Equal(typeof(ScriptedTestService), tests.ImplementationType);
        Assert.Null(tests.Descriptor);
        Assert.Equal(["Unary", "ServerStream", "ClientStream", "Duplex", "NotOverridden", "Bytes", "BytesStream"], tests.Methods.Select(method => method.Name));
        Assert.Equal(MethodType.DuplexStreaming, tests.Methods[3].Type);
        var described = catalog.Find(Described.ServiceName)!;
        Assert.NotNull(described.Descriptor);
        Assert.Equal("cauchy.test.Described", described.Descriptor.FullName);
        Assert.Equal("Ping", described.Descriptor.Methods.Single().Name);
        Assert.Null(catalog.Find("cauchy.test.Missing"));

        var pong = await host.CallAsync("/cauchy.test.Described/Ping", GrpcFrames.Frame("x"));
        Assert.Equal(["pong"], pong.Texts);
    }

    [Fact]
    public async Task Service_mapped_on_two_route_groups_is_listed_once()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions
        {
            Map = endpoints =>
            {
                endpoints.MapGrpcService<DescribedService>().RequireHost("one.example");
                endpoints.MapGrpcService<DescribedService>().RequireHost("two.example");
            },
        });

        var catalog = host.App.Services.GetRequiredService<GrpcServiceCatalog>();

        Assert.Single(catalog.Services);
    }

    [Fact]
    public async Task Conventions_apply_to_every_method_endpoint()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions
        {
            Map = endpoints => endpoints.MapGrpcService<ScriptedTestService>().RequireHost("grpc.example"),
        });

        var wrongHost = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"));
        var rightHost = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"), request => request.Headers.Host = "grpc.example");

        Assert.Equal(StatusCode.Unimplemented, wrongHost.Status);
        Assert.Equal(StatusCode.OK, rightHost.Status);
    }

    [Fact]
    public async Task Method_endpoints_carry_grpc_method_metadata()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var endpoints = host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints;

        var unary = endpoints.Single(endpoint => endpoint.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method.Name == "Unary");
        Assert.Equal(typeof(ScriptedTestService), unary.Metadata.GetMetadata<GrpcMethodMetadata>()!.ServiceType);
        Assert.Equal("gRPC - /cauchy.test.Tests/Unary", unary.DisplayName);
    }
}
