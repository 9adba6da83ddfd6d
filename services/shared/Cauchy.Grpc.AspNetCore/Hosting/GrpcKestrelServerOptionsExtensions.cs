using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Microsoft.AspNetCore.Hosting;

/// <summary>Kestrel settings a gRPC server usually wants.</summary>
public static class GrpcKestrelServerOptionsExtensions
{
    /// <summary>
    /// HTTP/2 keepalive: Kestrel sends a PING on a connection that has received nothing for
    /// <paramref name="pingDelay"/> and closes the connection when the ping is not answered within
    /// <paramref name="pingTimeout"/>. Long-lived streams behind proxies and NATs need this to notice dead peers.
    /// Kestrel checks once a second, so sub-second values act as one second. This is the transport's only
    /// keepalive: gRPC's keepalive is HTTP/2 PING.
    /// </summary>
    public static KestrelServerOptions UseGrpcKeepAlive(this KestrelServerOptions options, TimeSpan pingDelay, TimeSpan pingTimeout)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pingDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pingTimeout, TimeSpan.Zero);
        options.Limits.Http2.KeepAlivePingDelay = pingDelay;
        options.Limits.Http2.KeepAlivePingTimeout = pingTimeout;
        return options;
    }
}
