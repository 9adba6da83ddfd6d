using Grpc.Core;

namespace Cauchy.ServiceDefaults.GrpcClient;

/// <summary>Call objects for streaming calls the open circuit refused: they fail at once with the reason.</summary>
internal static class RejectedCalls
{
    public static AsyncServerStreamingCall<TResponse> ServerStreaming<TResponse>(RpcException reason) =>
        new(new RejectedStreamReader<TResponse>(reason), Failed<Metadata>(reason), () => reason.Status, () => Metadata.Empty, static () => { });

    public static AsyncClientStreamingCall<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(RpcException reason) =>
        new(new RejectedClientStreamWriter<TRequest>(reason), Failed<TResponse>(reason), Failed<Metadata>(reason), () => reason.Status, () => Metadata.Empty, static () => { });

    public static AsyncDuplexStreamingCall<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(RpcException reason) =>
        new(new RejectedClientStreamWriter<TRequest>(reason), new RejectedStreamReader<TResponse>(reason), Failed<Metadata>(reason), () => reason.Status, () => Metadata.Empty, static () => { });

    private static Task<T> Failed<T>(RpcException reason)
    {
        var task = Task.FromException<T>(reason);

        // Reading Exception marks it observed: a caller that never awaits this task is not an error.
        _ = task.Exception;
        return task;
    }
}
