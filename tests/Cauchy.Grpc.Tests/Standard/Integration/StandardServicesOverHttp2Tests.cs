using Cauchy.Grpc.Tests.Standard.Support;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1;
using Xunit;
using HealthClient = Grpc.Health.V1.Health.HealthClient;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace Cauchy.Grpc.Tests.Standard.Integration;

/// <summary>Health and reflection over a real Kestrel server and our own GrpcChannel.</summary>
public sealed class StandardServicesOverHttp2Tests : IAsyncLifetime
{
    private const string Probe = "cauchy.probe.v1.Probe";

    private static readonly string[] MappedServices =
    [
        Probe,
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
    ];

    private StandardServicesServer _server = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _server = await StandardServicesServer.StartAsync();
        _channel = _server.CreateChannel();
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task HealthCheck_TheServerAndEveryMappedServiceServe()
    {
        var health = new HealthClient(_channel);

        await Eventually(health, "", ServingStatus.Serving);
        foreach (var service in MappedServices)
        {
            var status = await Record.ExceptionAsync(async () =>
                Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = service }, deadline: Soon())).Status));
            Assert.True(status is null, $"health of '{service}': {status?.Message}");
        }
    }

    [Fact]
    public async Task HealthCheck_UnknownService_FailsWithNotFound()
    {
        var health = new HealthClient(_channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await health.CheckAsync(new HealthCheckRequest { Service = "cauchy.v1.Nothing" }, deadline: Soon()));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task HealthWatch_FollowsTheServicesDependency()
    {
        var health = new HealthClient(_channel);
        await Eventually(health, Probe, ServingStatus.Serving);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var watch = health.Watch(new HealthCheckRequest { Service = Probe }, cancellationToken: cancel.Token);

        Assert.Equal(ServingStatus.Serving, await Next(watch.ResponseStream, cancel.Token));
        _server.DependencyHealthy = false;
        Assert.Equal(ServingStatus.NotServing, await NextChange(watch.ResponseStream, ServingStatus.Serving, cancel.Token));
        _server.DependencyHealthy = true;
        Assert.Equal(ServingStatus.Serving, await NextChange(watch.ResponseStream, ServingStatus.NotServing, cancel.Token));
    }

    [Fact]
    public async Task HealthWatch_WhenTheServerStops_SeesNotServingAndEnds()
    {
        var health = new HealthClient(_channel);
        await Eventually(health, "", ServingStatus.Serving);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var watch = health.Watch(new HealthCheckRequest { Service = "" }, cancellationToken: cancel.Token);
        Assert.Equal(ServingStatus.Serving, await Next(watch.ResponseStream, cancel.Token));

        var stopping = _server.StopAsync();

        Assert.Equal(ServingStatus.NotServing, await Next(watch.ResponseStream, cancel.Token));
        Assert.False(await watch.ResponseStream.MoveNext(cancel.Token), "The Watch should end once the server is stopping.");
        // The open Watch must not hold the server until its 30 s shutdown timeout.
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Reflection_ListsEveryMappedService_OverV1AndV1Alpha()
    {
        using var v1 = new ServerReflection.ServerReflectionClient(_channel).ServerReflectionInfo(deadline: Soon());
        using var v1Alpha = new V1Alpha.ServerReflection.ServerReflectionClient(_channel).ServerReflectionInfo(deadline: Soon());

        await v1.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await v1Alpha.RequestStream.WriteAsync(new V1Alpha.ServerReflectionRequest { ListServices = "" });
        Assert.True(await v1.ResponseStream.MoveNext(CancellationToken.None));
        Assert.True(await v1Alpha.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(MappedServices.Order(), v1.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).Order());
        Assert.Equal(MappedServices.Order(), v1Alpha.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).Order());
        await v1.RequestStream.CompleteAsync();
        await v1Alpha.RequestStream.CompleteAsync();
        Assert.False(await v1.ResponseStream.MoveNext(CancellationToken.None));
        Assert.False(await v1Alpha.ResponseStream.MoveNext(CancellationToken.None));
    }

    [Fact]
    public async Task Reflection_OneStream_AnswersAnUnknownSymbolWithNotFound_ThenDescribesTheService()
    {
        using var call = new ServerReflection.ServerReflectionClient(_channel).ServerReflectionInfo(deadline: Soon());

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "cauchy.probe.v1.Nope" });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal((int)StatusCode.NotFound, call.ResponseStream.Current.ErrorResponse.ErrorCode);

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "cauchy.probe.v1.Probe.Describe" });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var protos = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto
            .Select(FileDescriptorProto.Parser.ParseFrom)
            .ToList();
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));

        var files = FileDescriptor.BuildFromByteStrings(DescriptorOrder.DependenciesFirst(protos).Select(proto => proto.ToByteString()));
        var describe = files.Single(file => file.Name == "cauchy/probe/v1/probe.proto").Services.Single().FindMethodByName("Describe");
        Assert.Equal("cauchy.probe.v1.DescribeResponse", describe.OutputType.FullName);
        Assert.Equal("google.protobuf.Duration", describe.InputType.FindFieldByName("patience").MessageType.FullName);
    }

    private static DateTime Soon() => DateTime.UtcNow.AddSeconds(30);

    private static async Task<ServingStatus> Next(IAsyncStreamReader<HealthCheckResponse> stream, CancellationToken cancellationToken)
    {
        Assert.True(await stream.MoveNext(cancellationToken), "The Watch ended early.");
        return stream.Current.Status;
    }

    // The health service sends the status again each time the periodic check publishes it, changed or not, so a
    // check that ran just before the dependency flipped can still answer the old status once more.
    private static async Task<ServingStatus> NextChange(
        IAsyncStreamReader<HealthCheckResponse> stream, ServingStatus previous, CancellationToken cancellationToken)
    {
        ServingStatus status;
        do
        {
            status = await Next(stream, cancellationToken);
        }
        while (status == previous);

        return status;
    }

    private static async Task Eventually(HealthClient health, string service, ServingStatus expected)
    {
        // The monitor publishes statuses once the application has started, just after StartAsync returns.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        ServingStatus actual;
        while ((actual = (await health.CheckAsync(new HealthCheckRequest { Service = service }, deadline: Soon())).Status) != expected
            && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.Equal(expected, actual);
    }
}
