using Grpc.Core;

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
            next = async (request, context) =>
            {
                var interceptor = activator.Create(context.GetHttpContext().RequestServices, out var created);
                try
                {
                    return await interceptor.UnaryServerHandler(request, context, continuation);
                }
                finally
                {
                    if (created)
                    {
                        await InterceptorActivator.ReleaseAsync(interceptor);
                    }
                }
            };
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
            next = async (requestStream, context) =>
            {
                var interceptor = activator.Create(context.GetHttpContext().RequestServices, out var created);
                try
                {
                    return await interceptor.ClientStreamingServerHandler(requestStream, context, continuation);
                }
                finally
                {
                    if (created)
                    {
                        await InterceptorActivator.ReleaseAsync(interceptor);
                    }
                }
            };
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
            next = async (request, responseStream, context) =>
            {
                var interceptor = activator.Create(context.GetHttpContext().RequestServices, out var created);
                try
                {
                    await interceptor.ServerStreamingServerHandler(request, responseStream, context, continuation);
                }
                finally
                {
                    if (created)
                    {
                        await InterceptorActivator.ReleaseAsync(interceptor);
                    }
                }
            };
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
            next = async (requestStream, responseStream, context) =>
            {
                var interceptor = activator.Create(context.GetHttpContext().RequestServices, out var created);
                try
                {
                    await interceptor.DuplexStreamingServerHandler(requestStream, responseStream, context, continuation);
                }
                finally
                {
                    if (created)
                    {
                        await InterceptorActivator.ReleaseAsync(interceptor);
                    }
                }
            };
        }
        return next;
    }
}
