using System.Diagnostics;
using Grpc.Core;
using Prometheus;

namespace Cauchy.ServiceDefaults.GrpcServer;

/// <summary>One RPC being measured: started when created, counted and timed by <see cref="Complete"/>.</summary>
internal sealed class ServerCallObservation
{
    private readonly GrpcServerMetrics _metrics;
    private readonly string _service;
    private readonly string _method;
    private readonly string _callType;
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private Counter.Child? _received;
    private Counter.Child? _sent;

    public ServerCallObservation(GrpcServerMetrics metrics, string fullMethod, string callType)
    {
        _metrics = metrics;
        (_service, _method) = SplitMethod(fullMethod);
        _callType = callType;
        metrics.Started.WithLabels(_method, _service, _callType).Inc();
    }

    // Looked up at the first message: a call that never sends one has no msg_sent series (rather than a 0 for every
    // failed call), and a stream looks its series up once rather than per message. Two threads racing here get the
    // same child.
    public void MessageReceived() => (_received ??= _metrics.MessagesReceived.WithLabels(_method, _service, _callType)).Inc();

    public void MessageSent() => (_sent ??= _metrics.MessagesSent.WithLabels(_method, _service, _callType)).Inc();

    /// <summary>Records the outcome: the handler's exception, or <paramref name="failure"/> null for a normal return.</summary>
    public void Complete(ServerCallContext context, Exception? failure)
    {
        var code = StatusOf(context, failure);
        _metrics.Handling.WithLabels(_method, _service, _callType).Observe(Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds);
        _metrics.Handled.WithLabels(GrpcStatusNames.Of(code), _method, _service, _callType).Inc();
    }

    /// <summary>
    /// The status the client will see: a thrown RpcException's code; CANCELLED (or DEADLINE_EXCEEDED once the
    /// deadline has passed) when the call's token fired; UNKNOWN for any other exception; otherwise the status
    /// the handler set on the context (OK unless it set one).
    /// </summary>
    internal static StatusCode StatusOf(ServerCallContext context, Exception? failure)
    {
        if (failure is null)
        {
            return context.Status.StatusCode;
        }

        if (failure is RpcException rpc)
        {
            return rpc.StatusCode;
        }

        if (context.CancellationToken.IsCancellationRequested)
        {
            return context.Deadline <= DateTime.UtcNow ? StatusCode.DeadlineExceeded : StatusCode.Cancelled;
        }

        return StatusCode.Unknown;
    }

    /// <summary>"/cauchy.v1.Datasets/GetDataset" → ("cauchy.v1.Datasets", "GetDataset").</summary>
    internal static (string Service, string Method) SplitMethod(string fullMethod)
    {
        var trimmed = fullMethod.AsSpan().TrimStart('/');
        var slash = trimmed.LastIndexOf('/');
        return slash <= 0 || slash == trimmed.Length - 1
            ? ("unknown", fullMethod)
            : (trimmed[..slash].ToString(), trimmed[(slash + 1)..].ToString());
    }
}
