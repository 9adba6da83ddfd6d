using Grpc.Core;

namespace Cauchy.ServiceDefaults.GrpcClient;

/// <summary>The request stream of a call that was never sent: writing to it throws the reason.</summary>
internal sealed class RejectedClientStreamWriter<T>(RpcException reason) : IClientStreamWriter<T>
{
    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(T message) => Task.FromException(reason);

    public Task CompleteAsync() => Task.FromException(reason);
}
