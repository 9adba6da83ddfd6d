using System.Net;

namespace Cauchy.Grpc.Tests.Interop.Infrastructure;

/// <summary>
/// A request body that sends its bytes at once and then stays open (no END_STREAM) until the
/// request is torn down: a streaming client that has more to say, or one that went quiet.
/// </summary>
internal sealed class HeldOpenContent(byte[] firstBytes) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(firstBytes, cancellationToken);
        await stream.FlushAsync(cancellationToken);
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
