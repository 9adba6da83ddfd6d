using System.Diagnostics.Metrics;

namespace Cauchy.ServiceDefaults.GrpcServer;

/// <summary>
/// The server-side RPC instruments, named after go-grpc-prometheus so its dashboards apply:
/// <c>grpc_server_started_total</c>, <c>grpc_server_handled_total</c> (with <c>grpc_code</c>),
/// <c>grpc_server_handling_seconds</c> (histogram), <c>grpc_server_msg_received_total</c> and
/// <c>grpc_server_msg_sent_total</c>, each labelled <c>grpc_service</c>, <c>grpc_method</c>, <c>grpc_type</c>.
/// </summary>
public sealed class GrpcServerMetrics
{
    /// <summary>The meter's name; the exporter's default <c>Cauchy.</c> prefix covers it.</summary>
    public const string MeterName = "Cauchy.Grpc.Server";

    /// <summary>
    /// Handling-time buckets in seconds: fine below 100 ms where unary calls live, coarse up to two minutes
    /// for streams and long uploads; anything longer (watch streams) lands in +Inf.
    /// </summary>
    public static readonly IReadOnlyList<double> HandlingBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    public GrpcServerMetrics(IMeterFactory meterFactory)
        : this(meterFactory.Create(MeterName))
    {
    }

    public GrpcServerMetrics(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        Started = meter.CreateCounter<long>("grpc.server.started", "{call}", "Total number of RPCs started on the server.");
        Handled = meter.CreateCounter<long>("grpc.server.handled", "{call}", "Total number of RPCs completed on the server, regardless of success or failure.");
        Handling = meter.CreateHistogram(
            "grpc.server.handling",
            "s",
            "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = HandlingBuckets });
        MessagesReceived = meter.CreateCounter<long>("grpc.server.msg_received", "{message}", "Total number of RPC stream messages received on the server.");
        MessagesSent = meter.CreateCounter<long>("grpc.server.msg_sent", "{message}", "Total number of gRPC stream messages sent by the server.");
    }

    public Counter<long> Started { get; }

    public Counter<long> Handled { get; }

    public Histogram<double> Handling { get; }

    public Counter<long> MessagesReceived { get; }

    public Counter<long> MessagesSent { get; }
}
