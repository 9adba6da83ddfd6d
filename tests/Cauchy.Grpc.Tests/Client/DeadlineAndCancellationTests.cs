using System.Diagnostics;
using Cauchy.Grpc.Internal;
using Cauchy.Grpc.Tests.Client.Infrastructure;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit;

namespace Cauchy.Grpc.Tests.Client;

public sealed class DeadlineAndCancellationTests(RawServerFixture server) : IClassFixture<RawServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task DeadlineAlreadyPassed_FailsWithoutSending()
    {
        using var channel = server.CreateChannel();
        var options = server.NewProbe(out var probe, deadline: DateTime.UtcNow.AddSeconds(-1));
        using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Echo"), null, options, "x");

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        // The probe counts calls that reached the server: a later call on the same channel shows the channel works.
        Assert.Equal("after", await channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Echo"), null, server.NewProbe(out _), "after").ResponseAsync.WaitAsync(Timeout));
        Assert.Equal(0, probe.Calls);
    }

    [Fact]
    public async Task Deadline_ServerNeverAnswers_CallEndsWithDeadlineExceeded_AndTheServerSeesTheReset()
    {
        using var channel = server.CreateChannel();
        var stopwatch = Stopwatch.StartNew();
        // Long enough for the request to reach the server before the deadline even on a loaded machine: a call reset
        // before the server received it leaves no handler to see the reset (CI failed that way with 300 ms).
        using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Hang"), null, server.NewProbe(out var probe, deadline: DateTime.UtcNow.AddMilliseconds(2000)), "x");

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(1950), TimeSpan.FromSeconds(6.7));
        await probe.Aborted.Task.WaitAsync(Timeout);
        Assert.Equal(StatusCode.DeadlineExceeded, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Deadline_AfterResponseHeaders_DuringServerStreaming_EndsTheStream()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(TestMethods.ServerStreaming("OneThenHang"), null, server.NewProbe(out var probe, deadline: DateTime.UtcNow.AddMilliseconds(2000)), "x");

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        await probe.Aborted.Task.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Deadline_IsSentAsGrpcTimeout_MeasuredAtSendTime()
    {
        using var channel = server.CreateChannel();
        var deadline = DateTime.UtcNow.AddSeconds(30);

        var headers = await channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Headers"), null, new CallOptions(deadline: deadline), "x").ResponseAsync.WaitAsync(Timeout);

        var value = headers.Split('\n').Single(l => l.StartsWith("grpc-timeout=", StringComparison.Ordinal))["grpc-timeout=".Length..];
        Assert.True(GrpcProtocol.TryParseTimeout(value, out var timeout), value);
        Assert.InRange(timeout, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Deadline_BeyondWhatOneTimerCanWait_StillWorks()
    {
        using var channel = server.CreateChannel();

        // 100 days is more than a System.Threading.Timer's longest wait (about 49.7 days).
        var headers = await channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Headers"), null, new CallOptions(deadline: DateTime.UtcNow.AddDays(100)), "x").ResponseAsync.WaitAsync(Timeout);

        var value = headers.Split('\n').Single(l => l.StartsWith("grpc-timeout=", StringComparison.Ordinal))["grpc-timeout=".Length..];
        Assert.True(GrpcProtocol.TryParseTimeout(value, out var timeout), value);
        Assert.InRange(timeout, TimeSpan.FromDays(99.9), TimeSpan.FromDays(100));
    }

    [Fact]
    public async Task Deadline_InLocalTime_IsConvertedToUtc()
    {
        using var channel = server.CreateChannel();

        var headers = await channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Headers"), null, new CallOptions(deadline: DateTime.Now.AddSeconds(30)), "x").ResponseAsync.WaitAsync(Timeout);

        var value = headers.Split('\n').Single(l => l.StartsWith("grpc-timeout=", StringComparison.Ordinal))["grpc-timeout=".Length..];
        Assert.True(GrpcProtocol.TryParseTimeout(value, out var timeout), value);
        Assert.InRange(timeout, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task NoDeadline_SendsNoGrpcTimeout()
    {
        using var channel = server.CreateChannel();

        var headers = await channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Headers"), null, new CallOptions(deadline: DateTime.MaxValue), "x").ResponseAsync.WaitAsync(Timeout);

        Assert.DoesNotContain("grpc-timeout=", headers);
    }

    [Fact]
    public async Task Deadline_WithThrowOperationCanceled_ThrowsOperationCanceledException()
    {
        using var channel = server.CreateChannel(new GrpcChannelOptions { ThrowOperationCanceledOnCancellation = true });
        using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Hang"), null, server.NewProbe(out _, deadline: DateTime.UtcNow.AddMilliseconds(200)), "x");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.ResponseAsync.WaitAsync(Timeout));
        Assert.Equal(StatusCode.DeadlineExceeded, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task CallerToken_CancelsTheCall_AndTheServerSeesTheReset()
    {
        using var channel = server.CreateChannel();
        using var cts = new CancellationTokenSource();
        using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Hang"), null, server.NewProbe(out var probe, headers: [new Metadata.Entry("x-send-headers", "1")], cancellationToken: cts.Token), "x");
        await call.ResponseHeadersAsync.WaitAsync(Timeout);

        await cts.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Timeout));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await probe.Aborted.Task.WaitAsync(Timeout);
    }

    [Fact]
    public async Task CallerToken_CancelledBeforeTheCall_FailsWithoutSending()
    {
        using var channel = server.CreateChannel();
        var options = server.NewProbe(out var probe, cancellationToken: new CancellationToken(canceled: true));

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Echo"), null, options, "x").ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal(0, probe.Calls);
    }

    [Fact]
    public async Task CallerToken_WithThrowOperationCanceled_ThrowsOperationCanceledException()
    {
        using var channel = server.CreateChannel(new GrpcChannelOptions { ThrowOperationCanceledOnCancellation = true });
        using var cts = new CancellationTokenSource();
        using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Hang"), null, server.NewProbe(out var probe, cancellationToken: cts.Token), "x");

        cts.CancelAfter(100);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.ResponseAsync.WaitAsync(Timeout));
    }

    [Fact]
    public async Task DisposingAUnaryCallInFlight_CancelsIt()
    {
        using var channel = server.CreateChannel();
        var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Hang"), null, server.NewProbe(out var probe, headers: [new Metadata.Entry("x-send-headers", "1")]), "x");
        await call.ResponseHeadersAsync.WaitAsync(Timeout);

        call.Dispose();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Timeout));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await probe.Aborted.Task.WaitAsync(Timeout);
    }

    [Fact]
    public async Task DisposingAServerStreamingCall_WhileNobodyReads_ResetsTheStream()
    {
        using var channel = server.CreateChannel();
        var call = channel.CreateCallInvoker().AsyncServerStreamingCall(TestMethods.ServerStreaming("OneThenHang"), null, server.NewProbe(out var probe), "x");
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout));

        call.Dispose();

        await probe.Aborted.Task.WaitAsync(Timeout);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    [Fact]
    public async Task MoveNextToken_CancelsTheCall()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(TestMethods.ServerStreaming("OneThenHang"), null, server.NewProbe(out var probe), "x");
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(cts.Token).WaitAsync(Timeout));

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await probe.Aborted.Task.WaitAsync(Timeout);
    }

    [Fact]
    public async Task CancellingAClientStreamingCall_FailsAPendingWrite()
    {
        using var channel = server.CreateChannel();
        using var cts = new CancellationTokenSource();
        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(TestMethods.ClientStreamingBytes("SlowReader"), null, server.NewProbe(out _, cancellationToken: cts.Token));
        var pending = call.RequestStream.WriteAsync(new byte[4 * 1024 * 1024]);

        await cts.CancelAsync();

        var writeError = await Assert.ThrowsAsync<RpcException>(() => pending.WaitAsync(Timeout));
        Assert.Equal(StatusCode.Cancelled, writeError.StatusCode);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Timeout));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    [Fact]
    public async Task DisposingTheChannel_CancelsCallsInFlight_AndRefusesNewOnes()
    {
        var channel = server.CreateChannel();
        var invoker = channel.CreateCallInvoker();
        using var call = invoker.AsyncUnaryCall(TestMethods.Unary("Hang"), null, server.NewProbe(out var probe, headers: [new Metadata.Entry("x-send-headers", "1")]), "x");
        await call.ResponseHeadersAsync.WaitAsync(Timeout);

        channel.Dispose();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Timeout));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Throws<ObjectDisposedException>(() => invoker.AsyncUnaryCall(TestMethods.Unary("Echo"), null, new CallOptions(), "x"));
        Assert.Throws<ObjectDisposedException>(() => channel.CreateCallInvoker());
    }
}
