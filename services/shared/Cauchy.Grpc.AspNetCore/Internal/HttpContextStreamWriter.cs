using Grpc.Core;

namespace Cauchy.Grpc.AspNetCore.Internal;

/// <summary>The response stream of a server-streaming or duplex call; each message is flushed as it is written.</summary>
internal sealed class HttpContextStreamWriter<TResponse>(GrpcServerCallContext call, Action<TResponse, SerializationContext> serializer)
    : IServerStreamWriter<TResponse>
    where TResponse : class
{
    // Shared with the call, as in Grpc.Core: setting either one sets both.
    public WriteOptions? WriteOptions
    {
        get => call.WriteOptions;
        set => call.WriteOptions = value;
    }

    public Task WriteAsync(TResponse message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(TResponse message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }
        return call.WriteMessageAsync(message, serializer, null, flush: true, cancellationToken);
    }
}
