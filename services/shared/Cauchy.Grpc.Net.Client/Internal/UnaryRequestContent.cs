using System.Net;

namespace Cauchy.Grpc.Net.Client.Internal;

/// <summary>
/// The body of a call with one request message (unary, server streaming): the frame serialized before the
/// request was sent. The pooled frame buffer goes back to the pool when the request is disposed and no write
/// is using it (the handler may still be writing when a call ends early, or write again when it retries a
/// refused stream).
/// </summary>
internal sealed class UnaryRequestContent(FrameSerializationContext frame) : HttpContent
{
    private int _activeWrites;
    private bool _disposed;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        // The frame is this content's own object, so it doubles as the lock.
        lock (frame)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _activeWrites++;
        }
        try
        {
            // No flush: the handler flushes the headers, this frame and END_STREAM together.
            await frame.WriteToAsync(stream, flush: false, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (frame)
            {
                if (--_activeWrites == 0 && _disposed)
                {
                    frame.Release();
                }
            }
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        // No content-length: gRPC does not use it (measured: no latency gain from sending one).
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (frame)
            {
                if (!_disposed)
                {
                    _disposed = true;
                    if (_activeWrites == 0)
                    {
                        frame.Release();
                    }
                }
            }
        }
        base.Dispose(disposing);
    }
}
