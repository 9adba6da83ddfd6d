using System.Net.Http;
using Grpc.Net.Client;

namespace Cauchy.ServiceDefaults.GrpcClient;

/// <summary>
/// How every channel between Cauchy processes is set up: one <see cref="SocketsHttpHandler"/> per address with HTTP/2
/// keepalive pings, more than one connection once a connection's stream limit is reached, message limits that
/// match the servers' (see <c>ServiceHostingOptions</c>), and a short cap on the reconnect backoff.
/// </summary>
public static class ServiceChannelOptions
{
    /// <summary>The largest response a client reads: shard batches and evaluation reports stay well below it.</summary>
    public const int MaxReceiveMessageBytes = 64 * 1024 * 1024;

    /// <summary>The longest wait between two connection attempts to a peer that is down.</summary>
    public static readonly TimeSpan MaxReconnectBackoff = TimeSpan.FromSeconds(3);

    public static GrpcChannelOptions Create() => new()
    {
        HttpHandler = CreateHandler(),
        DisposeHttpClient = true,
        MaxReceiveMessageSize = MaxReceiveMessageBytes,
        // Requests are limited by the server (4 MiB by default); a client that sends more learns it from the status.
        MaxSendMessageSize = null,
        // After failed connection attempts the channel waits before the next one, doubling the wait each time, and
        // until then fails every call with the last connection error. With the default cap (120 s) a trainer whose
        // orchestrator was down for half a minute only reconnected ~15 s after the orchestrator was back, too late for
        // its lease; a peer that returns is found again within a few seconds with this cap.
        MaxReconnectBackoff = MaxReconnectBackoff,
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
