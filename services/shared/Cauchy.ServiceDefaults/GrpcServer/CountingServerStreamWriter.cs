using Grpc.Core;

namespace Cauchy.ServiceDefaults.GrpcServer;

/// <summary>Counts the response messages a streaming handler writes.</summary>
internal sealed class CountingServerStreamWriter<T>(IServerStreamWriter<T> inner, ServerCallObservation observation) : IServerStreamWriter<T>
{
    public WriteOptions? WriteOptions
    {
        get => inner.WriteOptions;
        set => inner.WriteOptions = value;
    }

    public async Task WriteAsync(T message)
    {
        await inner.WriteAsync(message).ConfigureAwait(false);
        observation.MessageSent();
    }

    public async Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        await inner.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        observation.MessageSent();
    }
}
