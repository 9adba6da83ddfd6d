using System.Text;
using Cauchy.Grpc.Tests.Client.Infrastructure;
using Grpc.Core;
using Xunit;

namespace Cauchy.Grpc.Tests.Client;

public sealed class UnaryCallTests(RawServerFixture server) : IClassFixture<RawServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Unary_ReturnsTheResponse_AndOkStatusAfterwards()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Echo"), null, new CallOptions(), "héllo");

        Assert.Equal("héllo", await call.ResponseAsync.WaitAsync(Timeout));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Empty(call.GetTrailers());
    }

    [Fact]
    public async Task Unary_ManyConcurrentCallsOnOneChannel_AllGetTheirOwnResponse()
    {
        using var channel = server.CreateChannel();
        var invoker = channel.CreateCallInvoker();
        var calls = Enumerable.Range(0, 200)
            .Select(i => invoker.AsyncUnaryCall(TestMethods.Unary("Echo"), null, new CallOptions(), "n" + i).ResponseAsync)
            .ToArray();

        var responses = await Task.WhenAll(calls).WaitAsync(Timeout);

        Assert.Equal(Enumerable.Range(0, 200).Select(i => "n" + i), responses);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(70_000)]      // over the frame builder's copy limit: header and payload go out as two writes
    [InlineData(3_000_000)]   // grows the receive buffer many times
    public async Task Unary_RoundTripsMessagesOfAnySize(int size)
    {
        using var channel = server.CreateChannel();
        var payload = RawServerFixture.Pattern(7, size);

        var response = await channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.UnaryBytes("EchoBytes"), null, new CallOptions(), payload).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(payload, response);
    }

    [Fact]
    public async Task Unary_ContextualMarshaller_WritesIntoTheFrameBuffer()
    {
        // A marshaller in the style of Google.Protobuf's: size hint, buffer writer, Complete().
        var marshaller = Marshallers.Create<string>(
            (message, context) =>
            {
                var bytes = Encoding.UTF8.GetBytes(message);
                context.SetPayloadLength(bytes.Length);
                var writer = context.GetBufferWriter();
                bytes.CopyTo(writer.GetSpan(bytes.Length));
                writer.Advance(bytes.Length);
                context.Complete();
            },
            context => Encoding.UTF8.GetString(context.PayloadAsReadOnlySequence()));
        var method = new Method<string, string>(MethodType.Unary, TestMethods.Service, "Echo", marshaller, marshaller);
        using var channel = server.CreateChannel();

        Assert.Equal("contextual", await channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(), "contextual").ResponseAsync.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Unary_ResponseWithoutMessage_IsInternal()
    {
        using var channel = server.CreateChannel();

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("NoMessage"), null, new CallOptions(), "x").ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public async Task Unary_TrailersOnlyOkResponse_IsInternal()
    {
        using var channel = server.CreateChannel();

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("TrailersOnlyOk"), null, new CallOptions(), "x").ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public async Task Unary_ResponseWithTwoMessages_IsInternal()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("TwoMessages"), null, new CallOptions(), "x");

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal(StatusCode.Internal, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task BlockingUnaryCall_ReturnsTheResponse()
    {
        using var channel = server.CreateChannel();

        Assert.Equal("sync", channel.CreateCallInvoker().BlockingUnaryCall(TestMethods.Unary("Echo"), null, new CallOptions(), "sync"));
        await Task.CompletedTask;
    }

    [Fact]
    public void BlockingUnaryCall_OnAThreadWithASingleThreadedSynchronizationContext_DoesNotDeadlock()
    {
        using var channel = server.CreateChannel();
        var invoker = channel.CreateCallInvoker();
        var context = new NonPumpingSynchronizationContext();
        string? result = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            // Like a UI thread: anything posted here would never run while the thread blocks in the call.
            SynchronizationContext.SetSynchronizationContext(context);
            try
            {
                result = invoker.BlockingUnaryCall(TestMethods.Unary("Echo"), null, new CallOptions(), "no deadlock");
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();

        Assert.True(thread.Join(Timeout), "BlockingUnaryCall deadlocked under a single-threaded SynchronizationContext.");
        Assert.Null(failure);
        Assert.Equal("no deadlock", result);
        Assert.Equal(0, context.Posts);
    }

    [Fact]
    public void BlockingUnaryCall_Failure_ThrowsRpcException()
    {
        using var channel = server.CreateChannel();

        var error = Assert.Throws<RpcException>(() => channel.CreateCallInvoker().BlockingUnaryCall(TestMethods.Unary("TrailersOnly"), null, new CallOptions(), "x"));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    /// <summary>Counts posts and never runs them, as a blocked UI thread would not.</summary>
    private sealed class NonPumpingSynchronizationContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state) => Interlocked.Increment(ref _posts);

        public override void Send(SendOrPostCallback d, object? state) => throw new InvalidOperationException("Send on a blocked context.");
    }
}
