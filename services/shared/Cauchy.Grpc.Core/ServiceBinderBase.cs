namespace Grpc.Core;

/// <summary>
/// Receives a service's methods from the generated <c>BindService(ServiceBinderBase, TServiceBase)</c>.
/// A server transport derives from it and overrides the method kinds it hosts. The handler may be null
/// when the generated code is called without an instance (the transport then binds per call).
/// </summary>
public class ServiceBinderBase
{
    public virtual void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        where TRequest : class where TResponse : class =>
        throw Unsupported(method);

    public virtual void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        where TRequest : class where TResponse : class =>
        throw Unsupported(method);

    public virtual void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        where TRequest : class where TResponse : class =>
        throw Unsupported(method);

    public virtual void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        where TRequest : class where TResponse : class =>
        throw Unsupported(method);

    private NotSupportedException Unsupported(IMethod method) =>
        new($"{GetType().Name} cannot bind {method.Type} method {method.FullName}.");
}
