using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Cauchy.ServiceDefaults.Hosting;

/// <summary>
/// Where and how a service listens, read from configuration:
/// <list type="table">
/// <item><term><c>Grpc:Port</c></term><description>the gRPC port (HTTP/2 only); default: the service's own (50051…50055)</description></item>
/// <item><term><c>Grpc:Tls:CertificatePath</c></term><description>PEM certificate (or a .pfx/.p12); when set, the gRPC port speaks TLS</description></item>
/// <item><term><c>Grpc:Tls:KeyPath</c></term><description>PEM private key; omitted when the certificate file holds the key</description></item>
/// <item><term><c>Grpc:Tls:Password</c></term><description>password of an encrypted PEM key or of a .pfx</description></item>
/// <item><term><c>Http:Port</c></term><description>the port of <c>/metrics</c> and <c>/healthz</c> (HTTP/1.1); default: gRPC port + 1000</description></item>
/// <item><term><c>Hosting:BindAddress</c></term><description>address both ports bind; default 127.0.0.1, or 0.0.0.0 in a container (<c>DOTNET_RUNNING_IN_CONTAINER=true</c>)</description></item>
/// <item><term><c>Grpc:KeepAlivePingSeconds</c></term><description>idle time after which the server pings an HTTP/2 connection to find dead peers of long streams; default 60, 0 turns pings off</description></item>
/// <item><term><c>Grpc:KeepAlivePingTimeoutSeconds</c></term><description>how long a ping may go unanswered before the connection is closed; default 20</description></item>
/// <item><term><c>Grpc:MaxReceiveMessageBytes</c></term><description>the largest request message a service reads; default 4 MiB (gRPC's default); larger ones get RESOURCE_EXHAUSTED</description></item>
/// <item><term><c>Grpc:MaxSendMessageBytes</c></term><description>the largest response message a service writes; default unlimited (0)</description></item>
/// <item><term><c>Grpc:ResponseCompression</c></term><description><c>gzip</c> compresses responses for clients that accept it; default none (loopback and cluster links are faster than gzip)</description></item>
/// <item><term><c>Grpc:Http2:ConnectionWindowBytes</c>, <c>Grpc:Http2:StreamWindowBytes</c></term><description>HTTP/2 flow-control windows; default 16 MiB and 8 MiB</description></item>
/// <item><term><c>Grpc:Http2:MaxStreamsPerConnection</c></term><description>concurrent calls per HTTP/2 connection; default 100 (clients open more connections beyond it)</description></item>
/// <item><term><c>Health:CheckIntervalSeconds</c></term><description>how often health checks rerun for grpc.health.v1 Watch callers; default 10</description></item>
/// <item><term><c>Hosting:ShutdownTimeoutSeconds</c></term><description>how long in-flight calls may finish on SIGTERM; default 30</description></item>
/// </list>
/// </summary>
public sealed record ServiceHostingOptions
{
    public const int HttpPortOffset = 1000;
    public const string LoopbackAddress = "127.0.0.1";
    public const string AnyAddress = "0.0.0.0";
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultKeepAlivePing = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DefaultKeepAlivePingTimeout = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan DefaultHealthCheckInterval = TimeSpan.FromSeconds(10);
    public const int DefaultMaxReceiveMessageBytes = 4 * 1024 * 1024;
    public const int DefaultHttp2ConnectionWindowBytes = 16 * 1024 * 1024;
    public const int DefaultHttp2StreamWindowBytes = 8 * 1024 * 1024;
    public const int DefaultHttp2MaxStreamsPerConnection = 100;

    public required int GrpcPort { get; init; }

    public required int HttpPort { get; init; }

    public string BindAddress { get; init; } = LoopbackAddress;

    public string? TlsCertificatePath { get; init; }

    public string? TlsKeyPath { get; init; }

    public string? TlsPassword { get; init; }

    public TimeSpan ShutdownTimeout { get; init; } = DefaultShutdownTimeout;

    /// <summary>Zero: no keepalive pings.</summary>
    public TimeSpan KeepAlivePing { get; init; } = DefaultKeepAlivePing;

    public TimeSpan KeepAlivePingTimeout { get; init; } = DefaultKeepAlivePingTimeout;

    public int MaxReceiveMessageBytes { get; init; } = DefaultMaxReceiveMessageBytes;

    /// <summary>Null: unlimited.</summary>
    public int? MaxSendMessageBytes { get; init; }

    /// <summary>Null: responses are not compressed.</summary>
    public string? ResponseCompression { get; init; }

    public int Http2ConnectionWindowBytes { get; init; } = DefaultHttp2ConnectionWindowBytes;

    public int Http2StreamWindowBytes { get; init; } = DefaultHttp2StreamWindowBytes;

    public int Http2MaxStreamsPerConnection { get; init; } = DefaultHttp2MaxStreamsPerConnection;

    public TimeSpan HealthCheckInterval { get; init; } = DefaultHealthCheckInterval;

    public bool UseTls => !string.IsNullOrWhiteSpace(TlsCertificatePath);

    public static ServiceHostingOptions FromConfiguration(IConfiguration configuration, int defaultGrpcPort)
    {
        var grpcPort = ReadPort(configuration, "Grpc:Port") ?? defaultGrpcPort;
        var httpPort = ReadPort(configuration, "Http:Port") ?? grpcPort + HttpPortOffset;
        if (grpcPort == httpPort)
        {
            throw new InvalidOperationException($"Grpc:Port and Http:Port are both {grpcPort}; they must differ.");
        }

        var inContainer = string.Equals(configuration["DOTNET_RUNNING_IN_CONTAINER"], "true", StringComparison.OrdinalIgnoreCase);
        var bindAddress = configuration["Hosting:BindAddress"];
        var shutdown = configuration["Hosting:ShutdownTimeoutSeconds"];
        var keepAlive = configuration["Grpc:KeepAlivePingSeconds"];
        var keepAliveTimeout = configuration["Grpc:KeepAlivePingTimeoutSeconds"];
        var healthInterval = configuration["Health:CheckIntervalSeconds"];
        var compression = NullIfBlank(configuration["Grpc:ResponseCompression"])?.Trim().ToLowerInvariant();
        if (compression is not null and not "gzip")
        {
            throw new InvalidOperationException($"Grpc:ResponseCompression must be 'gzip' or empty, not '{compression}'.");
        }

        var maxSend = ReadSize(configuration, "Grpc:MaxSendMessageBytes", minimum: 0);
        return new ServiceHostingOptions
        {
            GrpcPort = grpcPort,
            HttpPort = httpPort,
            BindAddress = string.IsNullOrWhiteSpace(bindAddress) ? (inContainer ? AnyAddress : LoopbackAddress) : bindAddress.Trim(),
            TlsCertificatePath = NullIfBlank(configuration["Grpc:Tls:CertificatePath"]),
            TlsKeyPath = NullIfBlank(configuration["Grpc:Tls:KeyPath"]),
            TlsPassword = NullIfBlank(configuration["Grpc:Tls:Password"]),
            ShutdownTimeout = string.IsNullOrWhiteSpace(shutdown)
                ? DefaultShutdownTimeout
                : TimeSpan.FromSeconds(ParseNonNegative(shutdown, "Hosting:ShutdownTimeoutSeconds")),
            KeepAlivePing = string.IsNullOrWhiteSpace(keepAlive)
                ? DefaultKeepAlivePing
                : TimeSpan.FromSeconds(ParseNonNegative(keepAlive, "Grpc:KeepAlivePingSeconds")),
            KeepAlivePingTimeout = string.IsNullOrWhiteSpace(keepAliveTimeout)
                ? DefaultKeepAlivePingTimeout
                : TimeSpan.FromSeconds(ParsePositive(keepAliveTimeout, "Grpc:KeepAlivePingTimeoutSeconds")),
            MaxReceiveMessageBytes = ReadSize(configuration, "Grpc:MaxReceiveMessageBytes", minimum: 1024) ?? DefaultMaxReceiveMessageBytes,
            MaxSendMessageBytes = maxSend is null or 0 ? null : maxSend,
            ResponseCompression = compression,
            // Kestrel's bounds: a connection window of at least 64 KiB, a stream window of at least 64 KiB.
            Http2ConnectionWindowBytes = ReadSize(configuration, "Grpc:Http2:ConnectionWindowBytes", minimum: 65_535) ?? DefaultHttp2ConnectionWindowBytes,
            Http2StreamWindowBytes = ReadSize(configuration, "Grpc:Http2:StreamWindowBytes", minimum: 65_535) ?? DefaultHttp2StreamWindowBytes,
            Http2MaxStreamsPerConnection = ReadSize(configuration, "Grpc:Http2:MaxStreamsPerConnection", minimum: 1) ?? DefaultHttp2MaxStreamsPerConnection,
            HealthCheckInterval = string.IsNullOrWhiteSpace(healthInterval)
                ? DefaultHealthCheckInterval
                : TimeSpan.FromSeconds(ParsePositive(healthInterval, "Health:CheckIntervalSeconds")),
        };
    }

    private static int? ReadPort(IConfiguration configuration, string key)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        // Port 0 (let the OS pick) is refused: endpoints are routed by the port a request arrived on.
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new InvalidOperationException($"{key} must be a port number between 1 and 65535, not '{text}'.");
        }

        return port;
    }

    private static int? ReadSize(IConfiguration configuration, string key, int minimum)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : throw new InvalidOperationException($"{key} must be a whole number of at least {minimum}, not '{text}'.");
    }

    private static double ParseNonNegative(string text, string key) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 && double.IsFinite(value)
            ? value
            : throw new InvalidOperationException($"{key} must be a non-negative number of seconds, not '{text}'.");

    private static double ParsePositive(string text, string key) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value)
            ? value
            : throw new InvalidOperationException($"{key} must be a positive number of seconds, not '{text}'.");

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
