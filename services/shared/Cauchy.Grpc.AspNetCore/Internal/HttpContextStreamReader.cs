using Grpc.Core;

namespace Cauchy.Grpc.AspNetCore.Internal;

/// <summary>The request stream of a client-streaming or duplex call, read from the request body pipe.</summary>
internal sealed class HttpContextStreamReader<TRequest>(GrpcServerCallContext call, Func<DeserializationContext, TRequest> deserializer)
    : IAsyncStreamReader<TRequest>
    where TRequest : class
{
    private TRequest? _current;
    private bool _reading;
    private bool _ended;

    public TRequest Current => _current ?? throw new InvalidOperationException("There is no current message: call MoveNext first, and only use Current while it returned true.");

    public Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (_reading)
        {
            throw new InvalidOperationException("Can't read the next message because the previous read is still in progress.");
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<bool>(cancellationToken);
        }
        if (_ended)
        {
            _current = null;
            return Task.FromResult(false);
        }
        return MoveNextCoreAsync(cancellationToken);
    }

    private async Task<bool> MoveNextCoreAsync(CancellationToken cancellationToken)
    {
        _reading = true;
        try
        {
            _current = await call.ReadStreamMessageAsync(deserializer, cancellationToken);
            _ended = _current is null;
            return !_ended;
        }
        finally
        {
            _reading = false;
        }
    }
}
