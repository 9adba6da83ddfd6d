using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Cauchy.ServiceDefaults.Hosting;

/// <summary>The two listeners of every service: gRPC (HTTP/2 only, h2c or TLS) and HTTP (HTTP/1.1: /metrics and /healthz).</summary>
internal static class KestrelListeners
{
    public static void Configure(KestrelServerOptions kestrel, ServiceHostingOptions hosting)
    {
        var certificate = hosting.UseTls ? TlsCertificateLoader.Load(hosting) : null;
        var http2 = kestrel.Limits.Http2;
        if (hosting.KeepAlivePing > TimeSpan.Zero)
        {
            // Long streams (watches, heartbeats, shard reads) outlive peers that vanish without a FIN;
            // pings find them so their calls are cancelled and their resources freed.
            http2.KeepAlivePingDelay = hosting.KeepAlivePing;
            http2.KeepAlivePingTimeout = hosting.KeepAlivePingTimeout;
        }

        // Flow-control windows bound how much a stream (a shard read) may have in flight before the peer acknowledges
        // it; on loopback and in a cluster the default 768 KiB per stream, not the network, limits streaming speed.
        http2.InitialConnectionWindowSize = hosting.Http2ConnectionWindowBytes;
        http2.InitialStreamWindowSize = hosting.Http2StreamWindowBytes;
        http2.MaxStreamsPerConnection = hosting.Http2MaxStreamsPerConnection;
        Listen(kestrel, hosting.BindAddress, hosting.GrpcPort, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        });
        // HTTP/1.1 only: Kestrel cannot offer h2c beside HTTP/1.1 on a cleartext port (it would log a warning at every
        // start and serve HTTP/1.1 anyway), and Prometheus and kubelet probes speak HTTP/1.1.
        Listen(kestrel, hosting.BindAddress, hosting.HttpPort, static listen => listen.Protocols = HttpProtocols.Http1);
    }

    private static void Listen(KestrelServerOptions kestrel, string address, int port, Action<ListenOptions> configure)
    {
        if (address.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(port, configure);
        }
        else if (address is "*" or "+")
        {
            kestrel.ListenAnyIP(port, configure);
        }
        else if (IPAddress.TryParse(address, out var ip))
        {
            kestrel.Listen(ip, port, configure);
        }
        else
        {
            throw new InvalidOperationException($"Hosting:BindAddress must be an IP address, 'localhost' or '*', not '{address}'.");
        }
    }
}
