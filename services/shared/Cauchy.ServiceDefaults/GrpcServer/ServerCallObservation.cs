using System.Diagnostics;
using Grpc.Core;

namespace Cauchy.ServiceDefaults.GrpcServer;

/// <summary>One RPC being measured: started when created, counted and timed by <see cref="Complete"/>.</summary>
internal sealed class ServerCallObservation
{
    private readonly GrpcServerMetrics _metrics;
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();

    public ServerCallObservation(GrpcServerMetrics metrics, string fullMethod, string callType)
    {
        _metrics = metrics;
        var (service, method) = SplitMethod(fullMethod);
        _tags =
        [
            new("grpc_service", service),
            new("grpc_method", method),
            new("grpc_type", callType),
        ];
        _metrics.Started.Add(1, _tags);
    }

    public void MessageReceived() => _metrics.MessagesReceived.Add(1, _tags);

    public void MessageSent() => _metrics.MessagesSent.Add(1, _tags);

    /// <summary>Records the outcome: the handler's exception, or <paramref name="failure"/> null for a normal return.</summary>
    public void Complete(ServerCallContext context, Exception? failure)
    {
        var code = StatusOf(context, failure);
        _metrics.Handling.Record(Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds, _tags);
        _metrics.Handled.Add(1, [.. _tags, new("grpc_code", GrpcStatusNames.Of(code))]);
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
