using System.Net;

namespace Cauchy.Grpc.Net.Client.Internal;

/// <summary>
/// The body of a call whose caller streams requests: hands the HTTP/2 request stream to the call's
/// <see cref="ClientStreamWriter{TRequest, TResponse}"/> and stays open until the writer completes (END_STREAM,
/// the half-close) or the call ends.
/// </summary>
internal sealed class StreamingRequestContent<TRequest, TResponse>(ClientStreamWriter<TRequest, TResponse> writer) : HttpContent
    where TRequest : class
    where TResponse : class
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        // The server must see the call start before the first message (a duplex server may speak first):
        // flush so no handler holds the request headers back waiting for body data.
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        writer.OnRequestStreamAvailable(stream);
        // The handler cancels this token when the request is aborted or the response ended first.
        await writer.RequestEnded.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
