using Cauchy.Grpc.Internal;

namespace Grpc.Net.Client;

/// <summary>How a <see cref="GrpcChannel"/> talks to its server. Mirrors Grpc.Net.Client's options of the same names.</summary>
public sealed class GrpcChannelOptions
{
    /// <summary>The largest message the client accepts, after decompression; null means no limit. Default 4 MiB, as in every gRPC implementation.</summary>
    public int? MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>The largest message the client sends (before compression); null (the default) means no limit.</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>
    /// The handler that sends the HTTP/2 requests. When neither this nor <see cref="HttpClient"/> is set, the channel
    /// creates a <see cref="SocketsHttpHandler"/> of its own, tuned for gRPC.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>An existing client to send requests with. Its own settings (Timeout included) apply to every call.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Whether disposing the channel disposes <see cref="HttpClient"/> or <see cref="HttpHandler"/>. A handler the channel created is always disposed.</summary>
    public bool DisposeHttpClient { get; set; }

    /// <summary>
    /// When true, a call cancelled by the caller (token, Dispose) or by its deadline throws <see cref="OperationCanceledException"/>
    /// instead of <see cref="Grpc.Core.RpcException"/> with CANCELLED or DEADLINE_EXCEEDED.
    /// </summary>
    public bool ThrowOperationCanceledOnCancellation { get; set; }

    /// <summary>
    /// How long a connection may be quiet before the client sends an HTTP/2 PING to check it. Off (infinite) by default:
    /// gRPC servers punish pings more frequent than they allow (GOAWAY "too_many_pings"), so enable it knowingly,
    /// typically at a minute or more. Applies only to the handler the channel creates itself.
    /// </summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>How long to wait for a PING's answer before the connection is considered dead. Default 20 s, as in gRPC.</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Whether keepalive pings are sent only while calls are active (the default) or always.</summary>
    public HttpKeepAlivePingPolicy KeepAlivePingPolicy { get; set; } = HttpKeepAlivePingPolicy.WithActiveRequests;
}
