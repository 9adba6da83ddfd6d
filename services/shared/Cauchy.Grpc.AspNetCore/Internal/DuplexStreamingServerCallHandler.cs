using Grpc.Core;

namespace Cauchy.Grpc.AspNetCore.Internal;

internal sealed class DuplexStreamingServerCallHandler<TService, TRequest, TResponse> : ServerCallHandler<TService, TRequest, TResponse>
    where TService : class
    where TRequest : class
    where TResponse : class
{
    private readonly Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> _invoker;
    private readonly DuplexStreamingServerMethod<TRequest, TResponse> _pipeline;

    public DuplexStreamingServerCallHandler(Method<TRequest, TResponse> method, Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker, ServiceCallSetup<TService> setup)
        : base(method, setup)
    {
        _invoker = invoker;
        _pipeline = ServerMethodPipeline.DuplexStreaming<TRequest, TResponse>(InvokeServiceAsync, setup.Interceptors);
    }

    protected override Task HandleCallCoreAsync(GrpcServerCallContext call)
    {
        var requestStream = new HttpContextStreamReader<TRequest>(call, Method.RequestMarshaller.ContextualDeserializer);
        var responseStream = new HttpContextStreamWriter<TResponse>(call, Method.ResponseMarshaller.ContextualSerializer);
        return _pipeline(requestStream, responseStream, call);
    }

    private Task InvokeServiceAsync(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context)
    {
        var service = CreateService(context);
        if (!Setup.Activator.CreatesInstances)
        {
            return _invoker(service, requestStream, responseStream, context);
        }
        Task invocation;
        try
        {
            invocation = _invoker(service, requestStream, responseStream, context);
        }
        catch (Exception ex)
        {
            invocation = Task.FromException(ex);
        }
        return ReleaseAfterAsync(service, invocation);
    }
}
