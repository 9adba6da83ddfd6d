using Cauchy.Grpc.Tests.Server.Infrastructure;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Cauchy.Grpc.Tests.Server;

public sealed class ServiceActivationTests
{
    [Fact]
    public async Task Service_not_registered_in_di_is_created_per_call_with_injection_and_disposed_after()
    {
        await using var host = await GrpcTestHost.StartAsync();

        await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("a"));
        await host.CallAsync("/cauchy.test.Tests/ServerStream", GrpcFrames.Frame("1"));

        Assert.Equal(["disposed", "disposed"], host.Script.RecordedEvents());
    }

    [Fact]
    public async Task Service_registered_in_di_comes_from_di_and_is_not_disposed_by_the_server()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions
        {
            Services = services => services.AddSingleton<CountingService>(),
            Map = endpoints => endpoints.MapGrpcService<CountingService>(),
        });

        var first = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("a"));
        var second = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("b"));

        Assert.Equal(["1"], first.Texts);
        Assert.Equal(["2"], second.Texts);
        Assert.False(host.App.Services.GetRequiredService<CountingService>().Disposed);
    }

    [Fact]
    public async Task Async_disposable_service_is_disposed_asynchronously_after_a_streaming_call()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions
        {
            Map = endpoints => endpoints.MapGrpcService<AsyncDisposableService>(),
        });

        var result = await host.CallAsync("/cauchy.test.Tests/ServerStream", GrpcFrames.Frame("x"));

        Assert.Equal(["streamed"], result.Texts);
        Assert.Equal(["async disposed"], host.Script.RecordedEvents());
    }

    [Fact]
    public async Task Mapping_a_class_without_a_generated_base_fails_at_startup_with_a_clear_message()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GrpcTestHost.StartAsync(new GrpcTestHostOptions
        {
            Map = endpoints => endpoints.MapGrpcService<NotAGrpcService>(),
        }));

        Assert.Contains("BindServiceMethod", error.Message);
    }

    [Fact]
    public async Task Mapping_without_add_grpc_fails_with_a_clear_message()
    {
        var builder = WebApplication.CreateBuilder();
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapGrpcService<ScriptedTestService>());

        Assert.Contains("AddGrpc", error.Message);
    }

    [Fact]
    public async Task Unsupported_response_compression_algorithm_fails_at_mapping()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GrpcTestHost.StartAsync(new GrpcTestHostOptions
        {
            Grpc = options => options.ResponseCompressionAlgorithm = "br",
        }));

        Assert.Contains("'br'", error.Message);
    }

    public sealed class CountingService : TestServiceBase, IDisposable
    {
        private int _calls;

        public bool Disposed { get; private set; }

        public override Task<string> Unary(string request, ServerCallContext context) =>
            Task.FromResult(Interlocked.Increment(ref _calls).ToString(System.Globalization.CultureInfo.InvariantCulture));

        public void Dispose() => Disposed = true;
    }

    public sealed class AsyncDisposableService(TestScript script) : TestServiceBase, IAsyncDisposable
    {
        public override Task ServerStream(string request, IServerStreamWriter<string> responseStream, ServerCallContext context) =>
            responseStream.WriteAsync("streamed");

        public async ValueTask DisposeAsync()
        {
            await Task.Yield();
            script.Record("async disposed");
        }
    }

    public sealed class NotAGrpcService;
}
