using Cauchy.Grpc.Tests.Server.Infrastructure;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Cauchy.Grpc.Tests.Server;

public sealed class InterceptorTests
{
    [Fact]
    public async Task Interceptors_wrap_every_method_type_in_registration_order()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions
        {
            Grpc = options =>
            {
                options.Interceptors.Add<RecordingInterceptor>("outer");
                options.Interceptors.Add(typeof(RecordingInterceptor), "inner");
            },
        });

        await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"));
        await host.CallAsync("/cauchy.test.Tests/ServerStream", GrpcFrames.Frame("1"));
        await host.CallAsync("/cauchy.test.Tests/ClientStream", GrpcFrames.Frame("x"));
        await host.CallAsync("/cauchy.test.Tests/Duplex", GrpcFrames.Frame("x"));

        // Per call: each interceptor is created, wraps the next, and is disposed when its own part ends.
        var expected = new[] { "unary", "server-streaming", "client-streaming", "duplex" }.SelectMany(kind => new[]
        {
            $"outer {kind} in", $"inner {kind} in", $"inner {kind} out", "inner disposed", $"outer {kind} out", "outer disposed",
        });
        Assert.Equal(expected, host.Script.RecordedEvents().Where(e => e != "disposed"));
    }

    [Fact]
    public async Task Interceptor_can_replace_the_response_and_share_user_state_with_the_handler()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions
        {
            Grpc = options => options.Interceptors.Add(new ShoutingInterceptor()),
        });
        host.Script.Unary = (request, context) => Task.FromResult("handler saw " + context.UserState["tag"]);

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"));

        Assert.Equal(["HANDLER SAW FROM-INTERCEPTOR"], result.Texts);
    }

    [Fact]
    public async Task Interceptor_registered_in_di_is_resolved_from_di_and_not_disposed()
    {
        var shared = new CountingInterceptor();
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions
        {
            Grpc = options => options.Interceptors.Add<CountingInterceptor>(),
            Services = services => services.AddSingleton(shared),
        });

        await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"));
        await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("y"));

        Assert.Equal(2, shared.Calls);
        Assert.False(shared.Disposed);
    }

    [Fact]
    public async Task Service_interceptors_run_inside_global_ones()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions
        {
            Grpc = options => options.Interceptors.Add<RecordingInterceptor>("global"),
            GrpcBuilder = builder => builder.AddServiceOptions<ScriptedTestService>(options => options.Interceptors.Add<RecordingInterceptor>("service")),
        });

        await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"));

        Assert.Equal(["global unary in", "service unary in", "service unary out", "global unary out"],
            host.Script.RecordedEvents().Where(e => e.EndsWith(" in", StringComparison.Ordinal) || e.EndsWith(" out", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Interceptor_exception_becomes_the_call_status()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions
        {
            Grpc = options => options.Interceptors.Add(new DenyingInterceptor()),
        });

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"));

        Assert.Equal(StatusCode.PermissionDenied, result.Status);
        Assert.DoesNotContain("disposed", host.Script.RecordedEvents());
    }

    public sealed class RecordingInterceptor(TestScript script, string name) : Interceptor, IDisposable
    {
        public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            script.Record(name + " unary in");
            var response = await continuation(request, context);
            script.Record(name + " unary out");
            return response;
        }

        public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
        {
            script.Record(name + " server-streaming in");
            await continuation(request, responseStream, context);
            script.Record(name + " server-streaming out");
        }

        public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
        {
            script.Record(name + " client-streaming in");
            var response = await continuation(requestStream, context);
            script.Record(name + " client-streaming out");
            return response;
        }

        public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
        {
            script.Record(name + " duplex in");
            await continuation(requestStream, responseStream, context);
            script.Record(name + " duplex out");
        }

        public void Dispose() => script.Record(name + " disposed");
    }

    private sealed class ShoutingInterceptor : Interceptor
    {
        public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            context.UserState["tag"] = "from-interceptor";
            var response = await continuation(request, context);
            return (TResponse)(object)((string)(object)response).ToUpperInvariant();
        }
    }

    public sealed class CountingInterceptor : Interceptor, IDisposable
    {
        private int _calls;

        public int Calls => _calls;

        public bool Disposed { get; private set; }

        public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            Interlocked.Increment(ref _calls);
            return continuation(request, context);
        }

        public void Dispose() => Disposed = true;
    }

    private sealed class DenyingInterceptor : Interceptor
    {
        public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
            throw new RpcException(new Status(StatusCode.PermissionDenied, "No entry."));
    }
}
