using Cauchy.Grpc.Tests.Client.Infrastructure;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit;

namespace Cauchy.Grpc.Tests.Client;

public sealed class MessageSizeTests(RawServerFixture server) : IClassFixture<RawServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task UnaryRequestOverMaxSendMessageSize_IsResourceExhausted_AndNotSent()
    {
        using var channel = server.CreateChannel(new GrpcChannelOptions { MaxSendMessageSize = 10 });
        var options = server.NewProbe(out var probe);

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Echo"), null, options, "eleven char").ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("ten chars!", await channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Echo"), null, server.NewProbe(out _), "ten chars!").ResponseAsync.WaitAsync(Timeout));
        Assert.Equal(0, probe.Calls);
    }

    [Fact]
    public async Task StreamedRequestOverMaxSendMessageSize_FailsTheWriteAndTheCall()
    {
        using var channel = server.CreateChannel(new GrpcChannelOptions { MaxSendMessageSize = 10 });
        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(TestMethods.ClientStreaming("Inspect"), null, new CallOptions());

        await call.RequestStream.WriteAsync("fits");
        var writeError = await Assert.ThrowsAsync<RpcException>(() => call.RequestStream.WriteAsync("does not fit"));
        var callError = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.ResourceExhausted, writeError.StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, callError.StatusCode);
    }

    [Fact]
    public async Task IncomingLengthPrefixOverMaxReceiveMessageSize_IsResourceExhausted_AndResetsTheStream()
    {
        using var channel = server.CreateChannel();
        var options = server.NewProbe(out var probe);

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("HugePrefix"), null, options, "x").ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        await probe.Aborted.Task.WaitAsync(Timeout);
    }

    [Fact]
    public async Task MaxReceiveMessageSize_Null_AcceptsMessagesOverTheDefault()
    {
        using var channel = server.CreateChannel(new GrpcChannelOptions { MaxReceiveMessageSize = null });
        var payload = RawServerFixture.Pattern(3, 5 * 1024 * 1024);

        Assert.Equal(payload, await channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.UnaryBytes("EchoBytes"), null, new CallOptions(), payload).ResponseAsync.WaitAsync(Timeout));
    }

    [Fact]
    public async Task DefaultMaxReceiveMessageSize_Is4MiB()
    {
        using var channel = server.CreateChannel();
        var payload = new byte[4 * 1024 * 1024 + 1];

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.UnaryBytes("EchoBytes"), null, new CallOptions(), payload).ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }
}
