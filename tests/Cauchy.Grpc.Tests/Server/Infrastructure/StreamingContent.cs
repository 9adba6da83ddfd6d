using System.IO.Pipelines;
using System.Net;

namespace Cauchy.Grpc.Tests.Server.Infrastructure;

/// <summary>A request body the test writes piece by piece while the call runs (client streaming), then completes.</summary>
public sealed class StreamingContent : HttpContent
{
    private readonly Pipe _pipe = new();

    public StreamingContent()
    {
        Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
    }

    public async Task WriteAsync(byte[] data)
    {
        await _pipe.Writer.WriteAsync(data);
    }

    public void Complete() => _pipe.Writer.Complete();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    // HttpClient cancels this when the call is cancelled; only then does it reset the stream.
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _pipe.Reader.ReadAsync(cancellationToken);
            foreach (var segment in result.Buffer)
            {
                await stream.WriteAsync(segment, cancellationToken);
            }
            await stream.FlushAsync(cancellationToken);
            _pipe.Reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }
        await _pipe.Reader.CompleteAsync();
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
