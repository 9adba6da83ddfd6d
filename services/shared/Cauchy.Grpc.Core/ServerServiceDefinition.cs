namespace Grpc.Core;

/// <summary>A service's methods bound to their handlers, replayable onto any <see cref="ServiceBinderBase"/>.</summary>
public class ServerServiceDefinition
{
    private readonly IReadOnlyList<Action<ServiceBinderBase>> _bindings;

    private ServerServiceDefinition(IReadOnlyList<Action<ServiceBinderBase>> bindings, IReadOnlyList<IMethod> methods)
    {
        _bindings = bindings;
        Methods = methods;
    }

    public IReadOnlyList<IMethod> Methods { get; }

    public static Builder CreateBuilder() => new();

    /// <summary>Adds every method of this definition to <paramref name="serviceBinder"/>.</summary>
    public void BindService(ServiceBinderBase serviceBinder)
    {
        ArgumentNullException.ThrowIfNull(serviceBinder);
        foreach (var bind in _bindings)
        {
            bind(serviceBinder);
        }
    }

    public class Builder
    {
        private readonly List<Action<ServiceBinderBase>> _bindings = [];
        private readonly List<IMethod> _methods = [];
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);

        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
            where TRequest : class where TResponse : class =>
            Add(method, handler, binder => binder.AddMethod(method, handler));

        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class where TResponse : class =>
            Add(method, handler, binder => binder.AddMethod(method, handler));

        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class where TResponse : class =>
            Add(method, handler, binder => binder.AddMethod(method, handler));

        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class where TResponse : class =>
            Add(method, handler, binder => binder.AddMethod(method, handler));

        public ServerServiceDefinition Build() => new(_bindings.ToArray(), _methods.ToArray());

        private Builder Add(IMethod method, Delegate handler, Action<ServiceBinderBase> bind)
        {
            ArgumentNullException.ThrowIfNull(method);
            ArgumentNullException.ThrowIfNull(handler);
            if (!_names.Add(method.FullName))
            {
                throw new ArgumentException($"Method {method.FullName} is already registered.", nameof(method));
            }
            _methods.Add(method);
            _bindings.Add(bind);
            return this;
        }
    }
}
