using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Cauchy.ServiceDefaults.GrpcServer;

/// <summary>
/// Measures every RPC the server handles (see <see cref="GrpcServerMetrics"/>). AddServiceDefaults registers it
/// as the outermost server interceptor, so the time and status include the service's own interceptors.
/// </summary>
public sealed class GrpcServerMetricsInterceptor(GrpcServerMetrics metrics) : Interceptor
{
    public const string Unary = "unary";
    public const string ClientStream = "client_stream";
    public const string ServerStream = "server_stream";
    public const string BidiStream = "bidi_stream";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var observation = new ServerCallObservation(metrics, context.Method, Unary);
        observation.MessageReceived();
        try
        {
            var response = await continuation(request, context).ConfigureAwait(false);
            observation.MessageSent();
            observation.Complete(context, null);
            return response;
        }
        catch (Exception exception)
        {
            observation.Complete(context, exception);
            throw;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var observation = new ServerCallObservation(metrics, context.Method, ClientStream);
        try
        {
            var response = await continuation(new CountingStreamReader<TRequest>(requestStream, observation), context).ConfigureAwait(false);
            observation.MessageSent();
            observation.Complete(context, null);
            return response;
        }
        catch (Exception exception)
        {
            observation.Complete(context, exception);
            throw;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var observation = new ServerCallObservation(metrics, context.Method, ServerStream);
        observation.MessageReceived();
        try
        {
            await continuation(request, new CountingServerStreamWriter<TResponse>(responseStream, observation), context).ConfigureAwait(false);
            observation.Complete(context, null);
        }
        catch (Exception exception)
        {
            observation.Complete(context, exception);
            throw;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var observation = new ServerCallObservation(metrics, context.Method, BidiStream);
        try
        {
            await continuation(
                new CountingStreamReader<TRequest>(requestStream, observation),
                new CountingServerStreamWriter<TResponse>(responseStream, observation),
                context).ConfigureAwait(false);
            observation.Complete(context, null);
        }
        catch (Exception exception)
        {
            observation.Complete(context, exception);
            throw;
        }
    }
}
