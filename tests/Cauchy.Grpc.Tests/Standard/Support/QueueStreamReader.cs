using System.Threading.Channels;
using Grpc.Core;

namespace Cauchy.Grpc.Tests.Standard.Support;

/// <summary>A request stream a test feeds message by message and then completes (the client's half-close).</summary>
internal sealed class QueueStreamReader<T> : IAsyncStreamReader<T>
{
    private readonly Channel<T> _queue = Channel.CreateUnbounded<T>();
    private T? _current;

    public T Current => _current ?? throw new InvalidOperationException("MoveNext has not returned true yet.");

    public void Add(T message) => _queue.Writer.TryWrite(message);

    public void Complete() => _queue.Writer.TryComplete();

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (!await _queue.Reader.WaitToReadAsync(cancellationToken))
        {
            return false;
        }
        _current = await _queue.Reader.ReadAsync(cancellationToken);
        return true;
    }
}
