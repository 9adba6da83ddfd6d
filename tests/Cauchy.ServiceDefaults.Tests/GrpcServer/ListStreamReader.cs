using Grpc.Core;

namespace Cauchy.ServiceDefaults.Tests.GrpcServer;

/// <summary>A request stream that yields the given messages.</summary>
public sealed class ListStreamReader<T>(params T[] messages) : IAsyncStreamReader<T>
{
    private int _index = -1;

    public T Current => messages[_index];

    public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromResult(++_index < messages.Length);
}
