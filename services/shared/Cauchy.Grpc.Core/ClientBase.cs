using Grpc.Core.Interceptors;

namespace Grpc.Core;

/// <summary>Base of generated clients.</summary>
public abstract class ClientBase
{
    protected ClientBase() : this(new UnavailableCallInvoker()) { }

    protected ClientBase(ChannelBase channel) : this((channel ?? throw new ArgumentNullException(nameof(channel))).CreateCallInvoker()) { }

    protected ClientBase(CallInvoker callInvoker) : this(new ClientBaseConfiguration(callInvoker ?? throw new ArgumentNullException(nameof(callInvoker)), null)) { }

    protected ClientBase(ClientBaseConfiguration configuration)
    {
        Configuration = configuration ?? throw new ArgumentNullException(nameof(configuration));
        CallInvoker = configuration.CreateDecoratedCallInvoker();
    }

    public CallInvoker CallInvoker { get; }

    internal ClientBaseConfiguration Configuration { get; }

    /// <summary>What a client was created with; used to derive a copy with another host.</summary>
    protected internal class ClientBaseConfiguration
    {
        private readonly CallInvoker _undecoratedCallInvoker;
        private readonly string? _host;

        internal ClientBaseConfiguration(CallInvoker undecoratedCallInvoker, string? host)
        {
            _undecoratedCallInvoker = undecoratedCallInvoker;
            _host = host;
        }

        internal CallInvoker CreateDecoratedCallInvoker() =>
            _host is null ? _undecoratedCallInvoker : _undecoratedCallInvoker.Intercept(new HostInterceptor(_host));

        internal ClientBaseConfiguration WithHost(string host) =>
            new(_undecoratedCallInvoker, host ?? throw new ArgumentNullException(nameof(host)));
    }

    /// <summary>Sets the host (authority) of every call made through a client.</summary>
    private sealed class HostInterceptor(string host) : ClientContextInterceptor
    {
        protected override ClientInterceptorContext<TRequest, TResponse> Rewrite<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context) =>
            new(context.Method, host, context.Options);
    }

    /// <summary>The invoker of a client made without a channel (e.g. a mock's base): every call fails clearly.</summary>
    private sealed class UnavailableCallInvoker : CallInvoker
    {
        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw Fail(method);

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw Fail(method);

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw Fail(method);

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) => throw Fail(method);

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) => throw Fail(method);

        private static InvalidOperationException Fail(IMethod method) =>
            new($"Cannot call {method.FullName}: this client was created without a channel or call invoker.");
    }
}

/// <summary>Base of generated clients, typed so <see cref="WithHost"/> returns the same client type.</summary>
public abstract class ClientBase<T> : ClientBase where T : ClientBase<T>
{
    protected ClientBase() { }

    protected ClientBase(ChannelBase channel) : base(channel) { }

    protected ClientBase(CallInvoker callInvoker) : base(callInvoker) { }

    protected ClientBase(ClientBaseConfiguration configuration) : base(configuration) { }

    /// <summary>A copy of this client whose calls go to <paramref name="host"/>.</summary>
    public T WithHost(string host) => NewInstance(Configuration.WithHost(host));

    protected abstract T NewInstance(ClientBaseConfiguration configuration);
}
