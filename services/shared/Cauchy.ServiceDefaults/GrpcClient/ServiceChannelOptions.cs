using System.Net.Http;
using Grpc.Net.Client;

namespace Cauchy.ServiceDefaults.GrpcClient;

/// <summary>
/// How every channel between Cauchy processes is set up: one <see cref="SocketsHttpHandler"/> per address with HTTP/2
/// keepalive pings, more than one connection once a connection's stream limit is reached, and message limits that
/// match the servers' (see <c>ServiceHostingOptions</c>).
/// </summary>
public static class ServiceChannelOptions
{
    /// <summary>The largest response a client reads: shard batches and evaluation reports stay well below it.</summary>
    public const int MaxReceiveMessageBytes = 64 * 1024 * 1024;

    public static GrpcChannelOptions Create() => new()
    {
        HttpHandler = CreateHandler(),
        DisposeHttpClient = true,
        MaxReceiveMessageSize = MaxReceiveMessageBytes,
        // Requests are limited by the server (4 MiB by default); a client that sends more learns it from the status.
        MaxSendMessageSize = null,
    };

    public static SocketsHttpHandler CreateHandler() => new()
    {
        // Our servers are Kestrel, which accepts client pings at any rate: pings let a long stream (a watch, a shard
        // read) notice a server that vanished without closing the connection.
        KeepAlivePingDelay = TimeSpan.FromSeconds(60),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        // Beyond a server's 100 concurrent streams a call would queue for a free stream; a second connection serves it.
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        // The client's receive window: large enough that a streaming response is not held back by acknowledgements.
        InitialHttp2StreamWindowSize = 8 * 1024 * 1024,
    };
}
