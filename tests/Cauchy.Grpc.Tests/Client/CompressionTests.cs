using Cauchy.Grpc.Internal;
using Cauchy.Grpc.Tests.Client.Infrastructure;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit;

namespace Cauchy.Grpc.Tests.Client;

public sealed class CompressionTests(RawServerFixture server) : IClassFixture<RawServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static Metadata Gzip() => [new Metadata.Entry(GrpcProtocol.InternalEncodingRequestHeader, "gzip")];

    [Fact]
    public async Task InternalEncodingRequestHeader_CompressesTheRequestWithGzip_AndIsNotSent()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(TestMethods.ClientStreaming("Inspect"), null, new CallOptions(Gzip()));

        await call.RequestStream.WriteAsync("squeeze me");
        await call.RequestStream.CompleteAsync();

        Assert.Equal("count=1;flags=1;texts=squeeze me;encoding=gzip", await call.ResponseAsync.WaitAsync(Timeout));
    }

    [Fact]
    public async Task InternalEncodingRequestHeader_IsNeverSentAsAHeader()
    {
        using var channel = server.CreateChannel();

        var headers = await channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Headers"), null, new CallOptions(Gzip()), "x").ResponseAsync.WaitAsync(Timeout);

        Assert.DoesNotContain(GrpcProtocol.InternalEncodingRequestHeader, headers);
        Assert.Contains("grpc-encoding=gzip", headers);
    }

    [Fact]
    public async Task UnaryRequest_IsCompressed()
    {
        using var channel = server.CreateChannel();

        // The echo endpoint gunzips flagged messages: the answer shows the server could read it.
        Assert.Equal("compressed unary", await channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Echo"), null, new CallOptions(Gzip()), "compressed unary").ResponseAsync.WaitAsync(Timeout));
    }

    [Fact]
    public async Task NoCompressWriteFlag_SendsThatMessageUncompressed()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(TestMethods.ClientStreaming("Inspect"), null, new CallOptions(Gzip()));

        await call.RequestStream.WriteAsync("zipped");
        call.RequestStream.WriteOptions = new WriteOptions(WriteFlags.NoCompress);
        await call.RequestStream.WriteAsync("plain");
        call.RequestStream.WriteOptions = null;
        await call.RequestStream.WriteAsync("zipped again");
        await call.RequestStream.CompleteAsync();

        Assert.Equal("count=3;flags=1,0,1;texts=zipped,plain,zipped again;encoding=gzip", await call.ResponseAsync.WaitAsync(Timeout));
    }

    [Fact]
    public async Task UnsupportedRequestEncoding_FailsTheCall()
    {
        using var channel = server.CreateChannel();
        var headers = new Metadata { { GrpcProtocol.InternalEncodingRequestHeader, "zstd" } };

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Echo"), null, new CallOptions(headers), "x").ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Contains("zstd", error.Status.Detail);
    }

    [Fact]
    public async Task GzipResponse_IsDecompressed()
    {
        using var channel = server.CreateChannel();

        Assert.Equal("abcabc", await channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("GzipResponse"), null, new CallOptions(), "abc").ResponseAsync.WaitAsync(Timeout));
    }

    [Fact]
    public async Task CompressedResponse_InAnUnsupportedEncoding_IsInternal()
    {
        using var channel = server.CreateChannel();

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("UnsupportedEncoding"), null, new CallOptions(), "x").ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Contains("br", error.Status.Detail);
    }

    [Fact]
    public async Task CompressedResponse_WithoutGrpcEncoding_IsInternal()
    {
        using var channel = server.CreateChannel();

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("CompressedWithoutEncoding"), null, new CallOptions(), "x").ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public async Task CompressedResponse_ExpandingPastMaxReceiveMessageSize_IsResourceExhausted()
    {
        using var channel = server.CreateChannel(new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 });

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.UnaryBytes("GzipBomb"), null, new CallOptions(), [1]).ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task CompressedResponse_WithinMaxReceiveMessageSize_IsAccepted()
    {
        using var channel = server.CreateChannel(new GrpcChannelOptions { MaxReceiveMessageSize = 2 * 1024 * 1024 });

        var response = await channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.UnaryBytes("GzipBomb"), null, new CallOptions(), [1]).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(1024 * 1024, response.Length);
        Assert.All(response, b => Assert.Equal(0, b));
    }
}
