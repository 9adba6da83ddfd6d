using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Cauchy.Grpc.AspNetCore.Internal;

/// <summary>
/// Wraps a service method in the configured interceptors, once at mapping: the first registered interceptor
/// is the outermost. Each interceptor instance is obtained per call (see <see cref="InterceptorActivator"/>).
/// </summary>
internal static class ServerMethodPipeline
{
    public static UnaryServerMethod<TRequest, TResponse> Unary<TRequest, TResponse>(UnaryServerMethod<TRequest, TResponse> inner, InterceptorActivator[] interceptors)
        where TRequest : class where TResponse : class
    {
        var next = inner;
        for (var i = interceptors.Length - 1; i >= 0; i--)
        {
            var activator = interceptors[i];
            var continuation = next;
            next = (request, context) => InvokeAsync(activator, context, interceptor => interceptor.UnaryServerHandler(request, context, continuation));
        }
        return next;
    }

    public static ClientStreamingServerMethod<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(ClientStreamingServerMethod<TRequest, TResponse> inner, InterceptorActivator[] interceptors)
        where TRequest : class where TResponse : class
    {
        var next = inner;
        for (var i = interceptors.Length - 1; i >= 0; i--)
        {
            var activator = interceptors[i];
            var continuation = next;
            next = (requestStream, context) => InvokeAsync(activator, context, interceptor => interceptor.ClientStreamingServerHandler(requestStream, context, continuation));
        }
        return next;
    }

    public static ServerStreamingServerMethod<TRequest, TResponse> ServerStreaming<TRequest, TResponse>(ServerStreamingServerMethod<TRequest, TResponse> inner, InterceptorActivator[] interceptors)
        where TRequest : class where TResponse : class
    {
        var next = inner;
        for (var i = interceptors.Length - 1; i >= 0; i--)
        {
            var activator = interceptors[i];
            var continuation = next;
            next = (request, responseStream, context) => InvokeAsync(activator, context, interceptor => interceptor.ServerStreamingServerHandler(request, responseStream, context, continuation));
        }
        return next;
    }

    public static DuplexStreamingServerMethod<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(DuplexStreamingServerMethod<TRequest, TResponse> inner, InterceptorActivator[] interceptors)
        where TRequest : class where TResponse : class
    {
        var next = inner;
        for (var i = interceptors.Length - 1; i >= 0; i--)
        {
            var activator = interceptors[i];
            var continuation = next;
            next = (requestStream, responseStream, context) => InvokeAsync(activator, context, interceptor => interceptor.DuplexStreamingServerHandler(requestStream, responseStream, context, continuation));
        }
        return next;
    }

    /// <summary>Runs one interceptor for one call, releasing it afterwards when it was created for the call.</summary>
    private static async Task<TResponse> InvokeAsync<TResponse>(InterceptorActivator activator, ServerCallContext context, Func<Interceptor, Task<TResponse>> handle)
    {
        var interceptor = activator.Create(context.GetHttpContext().RequestServices, out var created);
        try
        {
            return await handle(interceptor);
        }
        finally
        {
            if (created)
            {
                await InterceptorActivator.ReleaseAsync(interceptor);
            }
        }
    }

    private static Task InvokeAsync(InterceptorActivator activator, ServerCallContext context, Func<Interceptor, Task> handle) =>
        InvokeAsync(activator, context, async interceptor =>
        {
            await handle(interceptor);
            return true;
        });
}
