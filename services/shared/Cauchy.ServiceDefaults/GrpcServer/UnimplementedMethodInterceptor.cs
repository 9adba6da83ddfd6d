using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Cauchy.ServiceDefaults.GrpcServer;

/// <summary>
/// Generated service bases answer an RPC the service does not override with UNIMPLEMENTED and an empty message.
/// This names the method instead, so a caller can tell "not built in this version" from a wrong address.
/// </summary>
public sealed class UnimplementedMethodInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (RpcException exception) when (IsBareUnimplemented(exception))
        {
            throw Named(exception, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (RpcException exception) when (IsBareUnimplemented(exception))
        {
            throw Named(exception, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (RpcException exception) when (IsBareUnimplemented(exception))
        {
            throw Named(exception, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (RpcException exception) when (IsBareUnimplemented(exception))
        {
            throw Named(exception, context);
        }
    }

    private static bool IsBareUnimplemented(RpcException exception) =>
        exception.StatusCode == StatusCode.Unimplemented && string.IsNullOrEmpty(exception.Status.Detail);

    private static RpcException Named(RpcException exception, ServerCallContext context) =>
        new(new Status(StatusCode.Unimplemented, $"{context.Method.TrimStart('/')} is not implemented by this version of the service."), exception.Trailers);
}
