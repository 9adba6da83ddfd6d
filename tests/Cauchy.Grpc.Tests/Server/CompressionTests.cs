using System.Text;
using Cauchy.Grpc.Tests.Server.Infrastructure;
using Grpc.Core;
using Xunit;

namespace Cauchy.Grpc.Tests.Server;

public sealed class CompressionTests
{
    [Fact]
    public async Task Gzip_compressed_request_message_is_decompressed()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.GzipFrame("squeezed"), request => request.Headers.Add("grpc-encoding", "gzip"));

        Assert.Equal(StatusCode.OK, result.Status);
        Assert.Equal(["echo:squeezed"], result.Texts);
    }

    [Fact]
    public async Task Uncompressed_messages_are_fine_under_a_gzip_grpc_encoding()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync("/cauchy.test.Tests/ClientStream", GrpcFrames.Concat(GrpcFrames.GzipFrame("a"), GrpcFrames.Frame("b")),
            request => request.Headers.Add("grpc-encoding", "gzip"));

        Assert.Equal(["a,b"], result.Texts);
    }

    [Fact]
    public async Task Compressed_message_in_an_unsupported_encoding_is_unimplemented_with_the_supported_list()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("zzz"u8.ToArray(), compressedFlag: 1),
            request => request.Headers.Add("grpc-encoding", "br"));

        Assert.Equal(StatusCode.Unimplemented, result.Status);
        Assert.Contains("'br'", result.Message);
        Assert.Equal("identity,gzip", string.Join(",", result.Headers.GetValues("grpc-accept-encoding")));
    }

    [Fact]
    public async Task Compressed_flag_without_grpc_encoding_is_internal()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.GzipFrame("x"));

        Assert.Equal(StatusCode.Internal, result.Status);
        Assert.Contains("grpc-encoding", result.Message);
    }

    [Fact]
    public async Task Decompression_is_bounded_by_the_receive_limit()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions { Grpc = options => options.MaxReceiveMessageSize = 64 * 1024 });
        // 8 MiB of zeros compresses to a few KiB: small on the wire, far over the limit once expanded.
        var bomb = GrpcFrames.Frame(GrpcFrames.Gzip(new byte[8 * 1024 * 1024]), compressedFlag: 1);
        Assert.True(bomb.Length < 64 * 1024);

        var result = await host.CallAsync("/cauchy.test.Tests/Bytes", bomb, request => request.Headers.Add("grpc-encoding", "gzip"));

        Assert.Equal(StatusCode.ResourceExhausted, result.Status);
    }

    [Fact]
    public async Task Responses_are_gzip_compressed_when_configured_and_the_client_accepts_gzip()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions { Grpc = options => options.ResponseCompressionAlgorithm = "gzip" });
        var text = string.Concat(Enumerable.Repeat("compressible ", 100));

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame(text), request => request.Headers.Add("grpc-accept-encoding", "identity, gzip"));

        Assert.Equal("gzip", result.Headers.GetValues("grpc-encoding").Single());
        var frame = result.Frames.Single();
        Assert.Equal(1, frame.Flag);
        Assert.True(frame.Payload.Length < text.Length);
        Assert.Equal("echo:" + text, Encoding.UTF8.GetString(GrpcFrames.Gunzip(frame.Payload)));
    }

    [Fact]
    public async Task Responses_are_not_compressed_for_a_client_that_does_not_accept_the_algorithm()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions { Grpc = options => options.ResponseCompressionAlgorithm = "gzip" });

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"), request => request.Headers.Add("grpc-accept-encoding", "identity"));

        Assert.False(result.Headers.Contains("grpc-encoding"));
        Assert.Equal(0, result.Frames.Single().Flag);
        Assert.Equal(["echo:x"], result.Texts);
    }

    [Fact]
    public async Task No_compress_write_flag_sends_that_message_uncompressed()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions { Grpc = options => options.ResponseCompressionAlgorithm = "gzip" });
        host.Script.ServerStream = async (_, stream, _) =>
        {
            await stream.WriteAsync("compressed");
            stream.WriteOptions = new WriteOptions(WriteFlags.NoCompress);
            await stream.WriteAsync("plain");
            stream.WriteOptions = null;
            await stream.WriteAsync("compressed again");
        };

        var result = await host.CallAsync("/cauchy.test.Tests/ServerStream", GrpcFrames.Frame("x"), request => request.Headers.Add("grpc-accept-encoding", "gzip"));

        Assert.Equal(new byte[] { 1, 0, 1 }, result.Frames.Select(frame => frame.Flag));
        Assert.Equal(["compressed", "plain", "compressed again"], result.Texts);
    }

    [Fact]
    public async Task Handler_can_choose_gzip_for_its_response_through_the_internal_encoding_header()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.ServerStream = async (_, stream, context) =>
        {
            await context.WriteResponseHeadersAsync(new Metadata { { "grpc-internal-encoding-request", "gzip" } });
            await stream.WriteAsync("chosen by the handler");
        };

        var result = await host.CallAsync("/cauchy.test.Tests/ServerStream", GrpcFrames.Frame("x"), request => request.Headers.Add("grpc-accept-encoding", "gzip"));

        Assert.Equal("gzip", result.Headers.GetValues("grpc-encoding").Single());
        Assert.False(result.Headers.Contains("grpc-internal-encoding-request"));
        Assert.Equal(1, result.Frames.Single().Flag);
        Assert.Equal(["chosen by the handler"], result.Texts);
    }
}
