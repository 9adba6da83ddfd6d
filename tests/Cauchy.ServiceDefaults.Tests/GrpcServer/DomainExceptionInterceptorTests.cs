using Cauchy.Domain;
using Cauchy.ServiceDefaults.GrpcServer;
using Cauchy.ServiceDefaults.Tests.Hosting;
using Cauchy.ServiceDefaults.Tests.Telemetry;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Prometheus;
using Xunit;

namespace Cauchy.ServiceDefaults.Tests.GrpcServer;

public sealed class DomainExceptionInterceptorTests
{
    private const string Method = "/cauchy.v1.Jobs/CancelJob";

    private readonly DomainExceptionInterceptor _interceptor = new();

    public static TheoryData<DomainErrorKind> Kinds() => new(Enum.GetValues<DomainErrorKind>());

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_kind_becomes_the_status_code_of_the_same_name(DomainErrorKind kind) =>
        Assert.Equal(kind.ToString(), DomainExceptionInterceptor.ToStatusCode(kind).ToString());

    [Fact]
    public async Task A_full_disk_becomes_RESOURCE_EXHAUSTED_saying_no_space_is_left()
    {
        // What .NET throws on Unix for a write that fails with ENOSPC: the errno as HResult.
        var full = new IOException("No space left on device : '/data/work/archive'", 28);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _interceptor.UnaryServerHandler<string, string>("r", new FakeServerCallContext(Method), (_, _) => throw new InvalidOperationException("import failed", full)));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.StartsWith("no space left on the service's disk", error.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("/data", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_input_output_errors_are_left_alone()
    {
        var other = new IOException("Permission denied", 13);

        var error = await Assert.ThrowsAsync<IOException>(() =>
            _interceptor.UnaryServerHandler<string, string>("r", new FakeServerCallContext(Method), (_, _) => throw other));

        Assert.Same(other, error);
    }

    [Fact]
    public async Task A_refusal_becomes_its_status_with_the_message_unchanged_and_its_details_as_trailers()
    {
        var refusal = new DomainException(DomainErrorKind.InvalidArgument, "header: 2 samples were rejected")
        {
            Details = new Dictionary<string, byte[]> { ["cauchy-validation-report-bin"] = [1, 2, 3] },
        };

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _interceptor.UnaryServerHandler<string, string>("r", new FakeServerCallContext(Method), (_, _) => throw refusal));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("header: 2 samples were rejected", error.Status.Detail);
        Assert.Equal([1, 2, 3], error.Trailers.GetValueBytes("cauchy-validation-report-bin"));
    }

    [Fact]
    public async Task Every_call_kind_maps_a_refusal()
    {
        static DomainException Refusal() => DomainException.FailedPrecondition("job 'j1' is SUCCEEDED and cannot be cancelled");
        var context = new FakeServerCallContext(Method);

        var errors = new[]
        {
            await Assert.ThrowsAsync<RpcException>(() => _interceptor.UnaryServerHandler<string, string>("r", context, (_, _) => throw Refusal())),
            await Assert.ThrowsAsync<RpcException>(() => _interceptor.ClientStreamingServerHandler<string, string>(
                new ListStreamReader<string>("a"), context, (_, _) => throw Refusal())),
            await Assert.ThrowsAsync<RpcException>(() => _interceptor.ServerStreamingServerHandler<string, string>(
                "r", new ListStreamWriter<string>(), context, async (_, stream, _) =>
                {
                    await stream.WriteAsync("first");
                    throw Refusal();
                })),
            await Assert.ThrowsAsync<RpcException>(() => _interceptor.DuplexStreamingServerHandler<string, string>(
                new ListStreamReader<string>("a"), new ListStreamWriter<string>(), context, (_, _, _) => throw Refusal())),
        };

        Assert.All(errors, error =>
        {
            Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
            Assert.Equal("job 'j1' is SUCCEEDED and cannot be cancelled", error.Status.Detail);
        });
    }

    [Fact]
    public async Task Other_exceptions_pass_through_untouched()
    {
        var bug = new InvalidOperationException("bug");
        var status = new RpcException(new Status(StatusCode.Unavailable, "datasets is down"));

        Assert.Same(bug, await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _interceptor.UnaryServerHandler<string, string>("r", new FakeServerCallContext(Method), (_, _) => throw bug)));
        Assert.Same(status, await Assert.ThrowsAsync<RpcException>(() =>
            _interceptor.UnaryServerHandler<string, string>("r", new FakeServerCallContext(Method), (_, _) => throw status)));
    }

    [Fact]
    public async Task Inside_the_metrics_interceptor_the_metrics_count_the_mapped_code()
    {
        var registry = Metrics.NewCustomRegistry();
        var metrics = new GrpcServerMetricsInterceptor(new GrpcServerMetrics(Metrics.WithCustomRegistry(registry)));

        await Assert.ThrowsAsync<RpcException>(() => metrics.UnaryServerHandler<string, string>("r", new FakeServerCallContext(Method),
            (request, context) => _interceptor.UnaryServerHandler<string, string>(request, context, (_, _) => throw DomainException.NotFound("job 'j1' does not exist"))));

        Assert.Contains(
            "grpc_server_handled_total{grpc_code=\"NotFound\",grpc_method=\"CancelJob\",grpc_service=\"cauchy.v1.Jobs\",grpc_type=\"unary\"} 1\n",
            await RegistryText.ExportAsync(registry), StringComparison.Ordinal);
    }

    [Fact]
    public void AddServiceDefaults_registers_it_inside_the_metrics_interceptor()
    {
        var builder = TestService.CreateBuilder(new Dictionary<string, string?>());
        builder.AddServiceDefaults("test", 50051);
        using var provider = builder.Services.BuildServiceProvider();

        var order = provider.GetRequiredService<IOptions<GrpcServiceOptions>>().Value.Interceptors.Select(static i => i.Type).ToList();
        Assert.Equal(0, order.IndexOf(typeof(GrpcServerMetricsInterceptor)));
        Assert.Contains(typeof(DomainExceptionInterceptor), order);
        Assert.NotNull(provider.GetService<DomainExceptionInterceptor>());
    }
}
