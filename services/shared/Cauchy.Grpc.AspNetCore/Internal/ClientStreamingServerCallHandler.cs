using Grpc.Core;

namespace Cauchy.Grpc.AspNetCore.Internal;

internal sealed class ClientStreamingServerCallHandler<TService, TRequest, TResponse> : ServerCallHandler<TService, TRequest, TResponse>
    where TService : class
    where TRequest : class
    where TResponse : class
{
    private readonly Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> _invoker;
    private readonly ClientStreamingServerMethod<TRequest, TResponse> _pipeline;

    public ClientStreamingServerCallHandler(Method<TRequest, TResponse> method, Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> invoker, ServiceCallSetup<TService> setup)
        : base(method, setup)
    {
        _invoker = invoker;
        _pipeline = ServerMethodPipeline.ClientStreaming<TRequest, TResponse>(InvokeServiceAsync, setup.Interceptors);
    }

    protected override async Task HandleCallCoreAsync(GrpcServerCallContext call)
    {
        var requestStream = new HttpContextStreamReader<TRequest>(call, Method.RequestMarshaller.ContextualDeserializer);
        var response = await _pipeline(requestStream, call)
            ?? throw new RpcException(new Status(StatusCode.Internal, "No message returned from method."));
        await call.WriteMessageAsync(response, Method.ResponseMarshaller.ContextualSerializer, null, flush: false, CancellationToken.None);
    }

    private Task<TResponse> InvokeServiceAsync(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context)
    {
        var service = CreateService(context);
        if (!Setup.Activator.CreatesInstances)
        {
            return _invoker(service, requestStream, context);
        }
        Task<TResponse> invocation;
        try
        {
            invocation = _invoker(service, requestStream, context);
        }
        catch (Exception ex)
        {
            invocation = Task.FromException<TResponse>(ex);
        }
        return ReleaseAfterAsync(service, invocation);
    }
}
