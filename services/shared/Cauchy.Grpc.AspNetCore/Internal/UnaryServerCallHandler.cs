using Grpc.Core;

namespace Cauchy.Grpc.AspNetCore.Internal;

internal sealed class UnaryServerCallHandler<TService, TRequest, TResponse> : ServerCallHandler<TService, TRequest, TResponse>
    where TService : class
    where TRequest : class
    where TResponse : class
{
    private readonly Func<TService, TRequest, ServerCallContext, Task<TResponse>> _invoker;
    private readonly UnaryServerMethod<TRequest, TResponse> _pipeline;

    public UnaryServerCallHandler(Method<TRequest, TResponse> method, Func<TService, TRequest, ServerCallContext, Task<TResponse>> invoker, ServiceCallSetup<TService> setup)
        : base(method, setup)
    {
        _invoker = invoker;
        _pipeline = ServerMethodPipeline.Unary<TRequest, TResponse>(InvokeServiceAsync, setup.Interceptors);
    }

    protected override async Task HandleCallCoreAsync(GrpcServerCallContext call)
    {
        var request = await call.ReadSingleMessageAsync(Method.RequestMarshaller.ContextualDeserializer);
        var response = await _pipeline(request, call)
            ?? throw new RpcException(new Status(StatusCode.Internal, "No message returned from method."));
        // Not flushed: the message, the trailers and END_STREAM leave together when the call ends.
        await call.WriteMessageAsync(response, Method.ResponseMarshaller.ContextualSerializer, null, flush: false, CancellationToken.None);
    }

    private Task<TResponse> InvokeServiceAsync(TRequest request, ServerCallContext context)
    {
        var service = CreateService(context);
        if (!Setup.Activator.CreatesInstances)
        {
            return _invoker(service, request, context);
        }
        Task<TResponse> invocation;
        try
        {
            invocation = _invoker(service, request, context);
        }
        catch (Exception ex)
        {
            invocation = Task.FromException<TResponse>(ex);
        }
        return ReleaseAfterAsync(service, invocation);
    }
}
