using Grpc.Core;

namespace Cauchy.ServiceDefaults.GrpcServer;

/// <summary>Counts the request messages a streaming handler reads.</summary>
internal sealed class CountingStreamReader<T>(IAsyncStreamReader<T> inner, ServerCallObservation observation) : IAsyncStreamReader<T>
{
    public T Current => inner.Current;

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        var moved = await inner.MoveNext(cancellationToken).ConfigureAwait(false);
        if (moved)
        {
            observation.MessageReceived();
        }

        return moved;
    }
}
