using Cauchy.Grpc.Tests.Client.Infrastructure;
using Grpc.Core;
using Xunit;

namespace Cauchy.Grpc.Tests.Client;

public sealed class StreamingCallTests(RawServerFixture server) : IClassFixture<RawServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ServerStreaming_ReadsEveryMessageThenEnds_WithOkStatus()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(TestMethods.ServerStreaming("ServerStream"), null, new CallOptions(), "5");

        var messages = new List<string>();
        await foreach (var message in call.ResponseStream.ReadAllAsync().WithCancellation(CancellationToken.None))
        {
            messages.Add(message);
        }

        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], messages);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
    }

    [Fact]
    public async Task ServerStreaming_LargeMessages_ArriveIntact()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(TestMethods.ServerStreamingBytes("ServerStreamBytes"), null, new CallOptions(), "40:65536");

        var index = 0;
        while (await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout))
        {
            Assert.Equal(RawServerFixture.Pattern(index, 65536), call.ResponseStream.Current);
            index++;
        }

        Assert.Equal(40, index);
    }

    [Fact]
    public async Task ServerStreaming_ConcurrentMoveNext_Throws()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(TestMethods.ServerStreaming("Hang"), null, server.NewProbe(out _), "x");

        var first = call.ResponseStream.MoveNext(CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        call.Dispose();
        await Assert.ThrowsAsync<RpcException>(() => first.WaitAsync(Timeout));
    }

    [Fact]
    public async Task ClientStreaming_SendsEveryMessage_AndCompleteHalfCloses()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(TestMethods.ClientStreaming("Inspect"), null, new CallOptions());

        await call.RequestStream.WriteAsync("a");
        await call.RequestStream.WriteAsync("b");
        await call.RequestStream.WriteAsync("c");
        await call.RequestStream.CompleteAsync();

        // The server only answers once it has read to the end of the request stream.
        Assert.Equal("count=3;flags=0,0,0;texts=a,b,c;encoding=", await call.ResponseAsync.WaitAsync(Timeout));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ClientStreaming_NoMessages_StillCompletes()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(TestMethods.ClientStreaming("Inspect"), null, new CallOptions());

        await call.RequestStream.CompleteAsync();

        Assert.Equal("count=0;flags=;texts=;encoding=", await call.ResponseAsync.WaitAsync(Timeout));
    }

    [Fact]
    public async Task ClientStreaming_SecondWriteWhileTheFirstIsPending_ThrowsInvalidOperation()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(TestMethods.ClientStreamingBytes("SlowReader"), null, server.NewProbe(out var probe));

        // 4 MiB is far beyond the server's flow-control window, and the server does not read yet: the write stays pending.
        var first = call.RequestStream.WriteAsync(new byte[4 * 1024 * 1024]);
        Assert.False(first.IsCompleted);

        await Assert.ThrowsAsync<InvalidOperationException>(() => call.RequestStream.WriteAsync(new byte[1]));
        await Assert.ThrowsAsync<InvalidOperationException>(() => call.RequestStream.CompleteAsync());

        probe.Release.SetResult();
        await first.WaitAsync(Timeout);
        await call.RequestStream.WriteAsync(new byte[3]);
        await call.RequestStream.CompleteAsync();
        Assert.Equal("4194304,3", await call.ResponseAsync.WaitAsync(Timeout));
    }

    [Fact]
    public async Task ClientStreaming_WriteAfterComplete_ThrowsInvalidOperation()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(TestMethods.ClientStreaming("Inspect"), null, new CallOptions());

        await call.RequestStream.WriteAsync("a");
        await call.RequestStream.CompleteAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => call.RequestStream.WriteAsync("b"));
        Assert.Equal("count=1;flags=0;texts=a;encoding=", await call.ResponseAsync.WaitAsync(Timeout));
    }

    [Fact]
    public async Task ClientStreaming_WriteAfterTheServerFailedTheCall_ThrowsTheCallsStatus()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(TestMethods.ClientStreaming("FailFast"), null, new CallOptions());

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Timeout));
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);

        var writeError = await Assert.ThrowsAsync<RpcException>(() => call.RequestStream.WriteAsync("late").WaitAsync(Timeout));
        Assert.Equal(StatusCode.FailedPrecondition, writeError.StatusCode);
        Assert.Equal("no thanks", writeError.Status.Detail);
    }

    [Fact]
    public async Task Duplex_MessagesFlowBothWaysOneAtATime()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(TestMethods.Duplex("Duplex"), null, new CallOptions());

        // Ping-pong: each answer arrives before the next request is written, so neither side buffers the whole stream.
        foreach (var ping in new[] { "ping-1", "ping-2", "ping-3" })
        {
            await call.RequestStream.WriteAsync(ping);
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout));
            Assert.Equal(ping, call.ResponseStream.Current);
        }
        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Duplex_ServerSpeaksFirst_HeadersArriveBeforeAnyRequestMessage()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(TestMethods.Duplex("HeadersThenWait"), null, server.NewProbe(out var probe));

        // No request message has been written: the request headers must have been flushed on their own.
        var headers = await call.ResponseHeadersAsync.WaitAsync(Timeout);
        Assert.Equal("v", headers.GetValue("x-h"));

        probe.Release.SetResult();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout));
        Assert.Equal("late", call.ResponseStream.Current);
    }

    [Fact]
    public async Task Duplex_BufferHintWrites_AreSentWithTheNextFlush()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(TestMethods.Duplex("Duplex"), null, new CallOptions());

        call.RequestStream.WriteOptions = new WriteOptions(WriteFlags.BufferHint);
        await call.RequestStream.WriteAsync("buffered");
        call.RequestStream.WriteOptions = WriteOptions.Default;
        await call.RequestStream.WriteAsync("flushed");

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout));
        Assert.Equal("buffered", call.ResponseStream.Current);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout));
        Assert.Equal("flushed", call.ResponseStream.Current);
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout));
    }

    [Fact]
    public async Task Duplex_ServerFinishesWhileTheClientStillWrites_RepliesAndOkStatusAreNotLost()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(TestMethods.Duplex("ReplyOnceAndFinish"), null, server.NewProbe(out var probe));

        await call.RequestStream.WriteAsync("only this one is read");
        await probe.Release.Task.WaitAsync(Timeout);
        await Task.Delay(100);
        // The server has ended the call: writing on may fail, but must not cost the reply or the status.
        Exception? writeError = null;
        try
        {
            await call.RequestStream.WriteAsync("too late").WaitAsync(Timeout);
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException)
        {
            writeError = ex;
        }

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout), $"reply lost; write error: {writeError}");
        Assert.Equal("only this one is read", call.ResponseStream.Current);
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }
}
