using Cauchy.Interop.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Xunit;

namespace Cauchy.Grpc.Tests.Core;

/// <summary>The generated client's plumbing in Cauchy.Grpc.Core, without a transport.</summary>
public sealed class ClientBaseTests
{
    [Fact]
    public void WithHost_sends_every_call_of_the_copy_to_that_host_and_leaves_the_original_alone()
    {
        var invoker = new RecordingCallInvoker();
        var client = new Echo.EchoClient(invoker);

        client.WithHost("models.cauchy.svc").Unary(new EchoRequest());
        client.Unary(new EchoRequest());
        client.WithHost("datasets.cauchy.svc").ServerStream(new EchoRequest());

        Assert.Equal(["models.cauchy.svc", null, "datasets.cauchy.svc"], invoker.Hosts);
    }

    [Fact]
    public void A_metadata_interceptor_rewrites_the_headers_of_every_call_type()
    {
        var invoker = new RecordingCallInvoker();
        var client = new Echo.EchoClient(invoker.Intercept(headers =>
        {
            headers.Add("x-tenant", "vision");
            return headers;
        }));

        client.Unary(new EchoRequest());
        client.ServerStream(new EchoRequest());
        client.ClientStream();
        client.Duplex();

        Assert.Equal(4, invoker.Headers.Count);
        Assert.All(invoker.Headers, headers => Assert.Equal("vision", headers?.GetValue("x-tenant")));
    }

    /// <summary>Records what each call was started with; answers unary calls with an empty response.</summary>
    private sealed class RecordingCallInvoker : CallInvoker
    {
        public List<string?> Hosts { get; } = [];

        public List<Metadata?> Headers { get; } = [];

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        {
            Record(host, options);
            return method.ResponseMarshaller.Deserializer([]);
        }

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw Unexpected();

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        {
            Record(host, options);
            return null!;
        }

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
        {
            Record(host, options);
            return null!;
        }

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
        {
            Record(host, options);
            return null!;
        }

        private void Record(string? host, CallOptions options)
        {
            Hosts.Add(host);
            Headers.Add(options.Headers);
        }

        private static InvalidOperationException Unexpected() => new("the tests use the blocking unary call");
    }
}
