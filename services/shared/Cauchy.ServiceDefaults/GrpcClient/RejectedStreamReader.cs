using Grpc.Core;

namespace Cauchy.ServiceDefaults.GrpcClient;

/// <summary>The response stream of a call that was never sent: reading it throws the reason.</summary>
internal sealed class RejectedStreamReader<T>(RpcException reason) : IAsyncStreamReader<T>
{
    public T Current => throw new InvalidOperationException("The call was not sent; there is no current message.");

    public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromException<bool>(reason);
}
