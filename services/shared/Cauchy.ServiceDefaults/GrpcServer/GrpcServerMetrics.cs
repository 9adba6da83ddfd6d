using Prometheus;

namespace Cauchy.ServiceDefaults.GrpcServer;

/// <summary>
/// The server-side RPC metrics, named after go-grpc-prometheus so its dashboards apply:
/// <c>grpc_server_started_total</c>, <c>grpc_server_handled_total</c> (with <c>grpc_code</c>),
/// <c>grpc_server_handling_seconds</c> (histogram), <c>grpc_server_msg_received_total</c> and
/// <c>grpc_server_msg_sent_total</c>, each labelled <c>grpc_service</c>, <c>grpc_method</c>, <c>grpc_type</c>.
/// </summary>
public sealed class GrpcServerMetrics
{
    /// <summary>
    /// Handling-time buckets in seconds: fine below 100 ms where unary calls live, coarse up to two minutes
    /// for streams and long uploads; anything longer (watch streams) lands in +Inf.
    /// </summary>
    public static readonly IReadOnlyList<double> HandlingBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    // Label names in alphabetical order, as Prometheus orders them in query results, so a /metrics line and a PromQL
    // answer read alike.
    private static readonly string[] CallLabels = ["grpc_method", "grpc_service", "grpc_type"];

    public GrpcServerMetrics(IMetricFactory metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        Started = metrics.CreateCounter("grpc_server_started_total", "Total number of RPCs started on the server.", CallLabels);
        Handled = metrics.CreateCounter(
            "grpc_server_handled_total",
            "Total number of RPCs completed on the server, regardless of success or failure.",
            ["grpc_code", .. CallLabels]);
        Handling = metrics.CreateHistogram(
            "grpc_server_handling_seconds",
            "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.",
            CallLabels,
            new HistogramConfiguration { Buckets = [.. HandlingBuckets] });
        MessagesReceived = metrics.CreateCounter("grpc_server_msg_received_total", "Total number of RPC stream messages received on the server.", CallLabels);
        MessagesSent = metrics.CreateCounter("grpc_server_msg_sent_total", "Total number of gRPC stream messages sent by the server.", CallLabels);
    }

    /// <summary>Labelled <c>grpc_method</c>, <c>grpc_service</c>, <c>grpc_type</c>.</summary>
    public Counter Started { get; }

    /// <summary>Labelled <c>grpc_code</c>, <c>grpc_method</c>, <c>grpc_service</c>, <c>grpc_type</c>.</summary>
    public Counter Handled { get; }

    /// <summary>Labelled <c>grpc_method</c>, <c>grpc_service</c>, <c>grpc_type</c>.</summary>
    public Histogram Handling { get; }

    /// <summary>Labelled <c>grpc_method</c>, <c>grpc_service</c>, <c>grpc_type</c>.</summary>
    public Counter MessagesReceived { get; }

    /// <summary>Labelled <c>grpc_method</c>, <c>grpc_service</c>, <c>grpc_type</c>.</summary>
    public Counter MessagesSent { get; }
}
