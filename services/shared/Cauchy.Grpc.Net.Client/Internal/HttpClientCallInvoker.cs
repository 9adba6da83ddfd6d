using Grpc.Core;
using Grpc.Net.Client;

namespace Cauchy.Grpc.Net.Client.Internal;

/// <summary>Starts every call of a <see cref="GrpcChannel"/> as one HTTP/2 request.</summary>
internal sealed class HttpClientCallInvoker(GrpcChannel channel) : CallInvoker
{
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        using var call = AsyncUnaryCall(method, host, options, request);
        // Safe to block: nothing in the call's path captures a SynchronizationContext (every await uses
        // ConfigureAwait(false)), so no continuation waits for the thread blocked here.
        return call.ResponseAsync.GetAwaiter().GetResult();
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Create(method, host, options, singleResponse: true).StartUnary(request);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Create(method, host, options, singleResponse: false).StartServerStreaming(request);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        Create(method, host, options, singleResponse: true).StartClientStreaming();

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        Create(method, host, options, singleResponse: false).StartDuplexStreaming();

    private GrpcCall<TRequest, TResponse> Create<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, bool singleResponse)
        where TRequest : class where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(method);
        channel.ThrowIfDisposed();
        return new GrpcCall<TRequest, TResponse>(channel, method, host, options, singleResponse);
    }
}
