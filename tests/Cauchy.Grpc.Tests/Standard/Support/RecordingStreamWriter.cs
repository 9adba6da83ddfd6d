using System.Threading.Channels;
using Grpc.Core;

namespace Cauchy.Grpc.Tests.Standard.Support;

/// <summary>
/// A server stream writer whose messages a test reads back as they are written, with a timeout, so
/// a test of a long-running handler (Watch) can follow it step by step.
/// </summary>
internal sealed class RecordingStreamWriter<T> : IServerStreamWriter<T>
{
    private readonly Channel<T> _written = Channel.CreateUnbounded<T>();

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(T message)
    {
        _written.Writer.TryWrite(message);
        return Task.CompletedTask;
    }

    /// <summary>The next message written, waiting up to <paramref name="timeout"/> (5 s by default).</summary>
    public async Task<T> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        try
        {
            return await _written.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No message was written within {timeout ?? TimeSpan.FromSeconds(5)}.");
        }
    }

    /// <summary>True when a message is waiting after <paramref name="wait"/>; for "nothing more was sent" checks.</summary>
    public async Task<bool> HasMoreAfterAsync(TimeSpan wait)
    {
        await Task.Delay(wait);
        return _written.Reader.TryPeek(out _);
    }
}
