using Grpc.Core;

namespace Cauchy.Grpc.AspNetCore.Internal;

internal sealed class ServerStreamingServerCallHandler<TService, TRequest, TResponse> : ServerCallHandler<TService, TRequest, TResponse>
    where TService : class
    where TRequest : class
    where TResponse : class
{
    private readonly Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> _invoker;
    private readonly ServerStreamingServerMethod<TRequest, TResponse> _pipeline;

    public ServerStreamingServerCallHandler(Method<TRequest, TResponse> method, Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker, ServiceCallSetup<TService> setup)
        : base(method, setup)
    {
        _invoker = invoker;
        _pipeline = ServerMethodPipeline.ServerStreaming<TRequest, TResponse>(InvokeServiceAsync, setup.Interceptors);
    }

    protected override async Task HandleCallCoreAsync(GrpcServerCallContext call)
    {
        var request = await call.ReadSingleMessageAsync(Method.RequestMarshaller.ContextualDeserializer);
        var responseStream = new HttpContextStreamWriter<TResponse>(call, Method.ResponseMarshaller.ContextualSerializer);
        await _pipeline(request, responseStream, call);
    }

    private Task InvokeServiceAsync(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context)
    {
        var service = CreateService(context);
        if (!Setup.Activator.CreatesInstances)
        {
            return _invoker(service, request, responseStream, context);
        }
        Task invocation;
        try
        {
            invocation = _invoker(service, request, responseStream, context);
        }
        catch (Exception ex)
        {
            invocation = Task.FromException(ex);
        }
        return ReleaseAfterAsync(service, invocation);
    }
}
