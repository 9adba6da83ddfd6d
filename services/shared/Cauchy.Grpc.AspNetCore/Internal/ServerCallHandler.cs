using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Cauchy.Grpc.AspNetCore.Internal;

/// <summary>
/// The endpoint of one gRPC method: validates the request, runs the call, and always ends it with a status.
/// One instance per method, shared by all its calls; per-call state lives in <see cref="GrpcServerCallContext"/>.
/// </summary>
internal abstract class ServerCallHandler<TService, TRequest, TResponse>(Method<TRequest, TResponse> method, ServiceCallSetup<TService> setup)
    where TService : class
    where TRequest : class
    where TResponse : class
{
    protected Method<TRequest, TResponse> Method { get; } = method;

    protected ServiceCallSetup<TService> Setup { get; } = setup;

    public async Task HandleCallAsync(HttpContext httpContext)
    {
        if (!GrpcRequestValidator.TryAccept(httpContext, Setup.Logger))
        {
            return;
        }
        var call = new GrpcServerCallContext(httpContext, Method, Setup.Options, Setup.Logger);
        Exception? error = null;
        try
        {
            call.Initialize();
            await HandleCallCoreAsync(call);
        }
        catch (Exception ex)
        {
            error = ex;
        }
        try
        {
            await call.EndCallAsync(error);
        }
        finally
        {
            call.Dispose();
        }
    }

    protected abstract Task HandleCallCoreAsync(GrpcServerCallContext call);

    /// <summary>The service instance for this call; when the activator created it, release it with ReleaseAfterAsync.</summary>
    protected TService CreateService(ServerCallContext context) => Setup.Activator.Create(context.GetHttpContext().RequestServices);

    /// <summary>Runs <paramref name="invocation"/> and then disposes the service instance when the call created it.</summary>
    protected static async Task<T> ReleaseAfterAsync<T>(TService service, Task<T> invocation)
    {
        try
        {
            return await invocation;
        }
        finally
        {
            await ServiceActivator<TService>.ReleaseAsync(service);
        }
    }

    /// <summary>Runs <paramref name="invocation"/> and then disposes the service instance when the call created it.</summary>
    protected static async Task ReleaseAfterAsync(TService service, Task invocation)
    {
        try
        {
            await invocation;
        }
        finally
        {
            await ServiceActivator<TService>.ReleaseAsync(service);
        }
    }
}
