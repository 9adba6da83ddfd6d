using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using Cauchy.Grpc.Net.Client.Internal;
using Grpc.Core;

namespace Grpc.Net.Client;

/// <summary>
/// A channel to one gRPC server address, carried over HTTP/2 by one HttpClient handler: http:// is cleartext HTTP/2
/// with prior knowledge, https:// is TLS with ALPN h2. Cheap to share: create one per address and reuse it for every
/// client and call; disposing it cancels the calls still running.
/// </summary>
public sealed class GrpcChannel : ChannelBase, IDisposable
{
    internal static readonly string UserAgent = "grpc-csharp-cauchy/" +
        (typeof(GrpcChannel).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0.0");

    private readonly HttpMessageInvoker _invoker;
    private readonly HttpClient? _httpClient;
    private readonly bool _disposeInvoker;
    private readonly CancellationTokenSource _disposal = new();
    private readonly ConcurrentDictionary<IMethod, Uri> _requestUris = new();
    private readonly string _pathBase;
    private readonly HttpClientCallInvoker _callInvoker;
    private int _disposed;

    private GrpcChannel(Uri address, GrpcChannelOptions options) : base(address.Authority)
    {
        if (options.HttpClient is not null && options.HttpHandler is not null)
        {
            throw new ArgumentException($"Set either {nameof(GrpcChannelOptions.HttpClient)} or {nameof(GrpcChannelOptions.HttpHandler)}, not both.", nameof(options));
        }
        Address = address;
        MaxReceiveMessageSize = options.MaxReceiveMessageSize;
        MaxSendMessageSize = options.MaxSendMessageSize;
        ThrowOperationCanceledOnCancellation = options.ThrowOperationCanceledOnCancellation;
        _pathBase = address.GetLeftPart(UriPartial.Path).TrimEnd('/');
        if (options.HttpClient is not null)
        {
            // A caller's HttpClient: its SendAsync must be called with ResponseHeadersRead, or it would buffer whole streams.
            _httpClient = options.HttpClient;
            _invoker = options.HttpClient;
            _disposeInvoker = options.DisposeHttpClient;
        }
        else if (options.HttpHandler is not null)
        {
            _invoker = new HttpMessageInvoker(options.HttpHandler, disposeHandler: options.DisposeHttpClient);
            _disposeInvoker = true;
        }
        else
        {
            // Our own handler, driven through HttpMessageInvoker rather than HttpClient: HttpClient adds a linked
            // CancellationTokenSource and a timeout per request that gRPC calls (with their own deadlines) do not need.
            OwnHandler = CreateHandler(options);
            _invoker = new HttpMessageInvoker(OwnHandler, disposeHandler: true);
            _disposeInvoker = true;
        }
        _callInvoker = new HttpClientCallInvoker(this);
    }

    /// <summary>The server address the channel was created for.</summary>
    public Uri Address { get; }

    internal int? MaxReceiveMessageSize { get; }

    internal int? MaxSendMessageSize { get; }

    internal bool ThrowOperationCanceledOnCancellation { get; }

    /// <summary>The handler the channel created itself; null when the caller supplied one.</summary>
    internal SocketsHttpHandler? OwnHandler { get; }

    /// <summary>Cancelled when the channel is disposed: calls register on it to end with it.</summary>
    internal CancellationToken DisposalToken => _disposal.Token;

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public static GrpcChannel ForAddress(string address, GrpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        return ForAddress(new Uri(address, UriKind.Absolute), options);
    }

    public static GrpcChannel ForAddress(Uri address, GrpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"Address '{address}' must be an absolute http:// or https:// URI.", nameof(address));
        }
        return new GrpcChannel(address, options ?? new GrpcChannelOptions());
    }

    public override CallInvoker CreateCallInvoker()
    {
        ThrowIfDisposed();
        return _callInvoker;
    }

    /// <summary>Cancels the calls still running and releases the connections (and a supplied client or handler when asked to).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _disposal.Cancel();
        if (_disposeInvoker)
        {
            _invoker.Dispose();
        }
    }

    protected override Task ShutdownAsyncCore()
    {
        Dispose();
        return Task.CompletedTask;
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    internal Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _httpClient is not null
            ? _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
            : _invoker.SendAsync(request, cancellationToken);

    /// <summary>The request URI of a method: the address's path (if any) followed by /package.Service/Method. Cached per method.</summary>
    internal Uri GetRequestUri(IMethod method) =>
        _requestUris.TryGetValue(method, out var uri)
            ? uri
            : _requestUris.GetOrAdd(method, static (m, pathBase) => new Uri(pathBase + m.FullName, UriKind.Absolute), _pathBase);

    private static SocketsHttpHandler CreateHandler(GrpcChannelOptions options) => new()
    {
        // One HTTP/2 connection multiplexes every call; a second one opens only when the server's
        // SETTINGS_MAX_CONCURRENT_STREAMS is reached, instead of queueing calls behind it.
        EnableMultipleHttp2Connections = true,
        // gRPC connections are long-lived: reconnecting after an idle spell costs a handshake for nothing.
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        KeepAlivePingDelay = options.KeepAlivePingDelay,
        KeepAlivePingTimeout = options.KeepAlivePingTimeout,
        KeepAlivePingPolicy = options.KeepAlivePingPolicy,
        // A redirected POST would silently become another call; cookies and content decompression are not gRPC's.
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
    };
}
