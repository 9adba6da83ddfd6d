using System.Diagnostics;
using Cauchy.ServiceDefaults.GrpcClient;
using Grpc.Core;
using Polly.CircuitBreaker;
using Xunit;

namespace Cauchy.ServiceDefaults.Tests.GrpcClient;

public sealed class GrpcClientResilienceInterceptorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private readonly ManualTimeProvider _clock = new(Start);

    /// <summary>Fast backoffs, and a breaker that stays out of the way unless a test asks for it.</summary>
    private static GrpcResilienceOptions Options(int maxRetries = 3, int minimumThroughput = 1000) => new()
    {
        MaxRetries = maxRetries,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        RetryMaxDelay = TimeSpan.FromMilliseconds(5),
        MinimumThroughput = minimumThroughput,
        FailureRatio = 0.5,
        SamplingDuration = TimeSpan.FromSeconds(30),
        BreakDuration = TimeSpan.FromSeconds(5),
    };

    private GrpcClientResilienceInterceptor Interceptor(GrpcResilienceOptions options) => new("http://datasets:50051", options, _clock);

    [Fact]
    public async Task An_idempotent_unary_call_is_retried_on_UNAVAILABLE_until_it_succeeds()
    {
        var script = new ScriptedCalls(StatusCode.Unavailable, StatusCode.Unavailable, StatusCode.OK);
        var interceptor = Interceptor(Options());

        using var call = interceptor.AsyncUnaryCall("id-7", ScriptedCalls.Context(ScriptedCalls.GetDataset), script.Unary);

        Assert.Equal("reply 3", await call);
        Assert.Equal(3, script.Attempts.Count);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("3", (await call.ResponseHeadersAsync).GetValue("attempt"));
        Assert.Equal(2, script.Disposed); // the failed attempts are released as soon as they are replaced
    }

    [Fact]
    public async Task Retries_stop_after_MaxRetries_with_the_last_status()
    {
        var script = new ScriptedCalls(Enumerable.Repeat(StatusCode.Unavailable, 10).ToArray());
        var interceptor = Interceptor(Options(maxRetries: 3));

        using var call = interceptor.AsyncUnaryCall("id-7", ScriptedCalls.Context(ScriptedCalls.GetDataset), script.Unary);

        var failure = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Equal("scripted failure 4", failure.Status.Detail);
        Assert.Equal(4, script.Attempts.Count);
        Assert.Equal(StatusCode.Unavailable, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task A_non_idempotent_call_is_never_retried()
    {
        var script = new ScriptedCalls(StatusCode.Unavailable, StatusCode.OK);
        var interceptor = Interceptor(Options());

        var failure = await Assert.ThrowsAsync<RpcException>(async () =>
            await interceptor.AsyncUnaryCall("spec", ScriptedCalls.Context(ScriptedCalls.CreateDataset), script.Unary));

        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Single(script.Attempts);
    }

    [Theory]
    [InlineData(StatusCode.NotFound)]
    [InlineData(StatusCode.DeadlineExceeded)]
    [InlineData(StatusCode.Internal)]
    public async Task Only_UNAVAILABLE_is_retried(StatusCode code)
    {
        var script = new ScriptedCalls(code, StatusCode.OK);
        var interceptor = Interceptor(Options());

        var failure = await Assert.ThrowsAsync<RpcException>(async () =>
            await interceptor.AsyncUnaryCall("id", ScriptedCalls.Context(ScriptedCalls.GetDataset), script.Unary));

        Assert.Equal(code, failure.StatusCode);
        Assert.Single(script.Attempts);
    }

    [Fact]
    public void Blocking_unary_calls_are_retried_too()
    {
        var script = new ScriptedCalls(StatusCode.Unavailable, StatusCode.OK);
        var interceptor = Interceptor(Options());

        Assert.Equal("reply 2", interceptor.BlockingUnaryCall("id", ScriptedCalls.Context(ScriptedCalls.GetDataset), script.Blocking));
        Assert.Equal(2, script.Attempts.Count);
    }

    [Fact]
    public async Task A_call_without_a_deadline_gets_the_default_and_every_retry_shares_it()
    {
        var script = new ScriptedCalls(StatusCode.Unavailable, StatusCode.OK);
        var interceptor = Interceptor(Options() with { DefaultDeadline = TimeSpan.FromSeconds(30) });

        await interceptor.AsyncUnaryCall("id", ScriptedCalls.Context(ScriptedCalls.GetDataset), script.Unary);

        Assert.All(script.Attempts, options => Assert.Equal(Start.UtcDateTime.AddSeconds(30), options.Deadline));
    }

    [Fact]
    public async Task The_callers_deadline_is_kept_and_a_zero_default_means_none()
    {
        var callerDeadline = Start.UtcDateTime.AddSeconds(3);
        var script = new ScriptedCalls();

        await Interceptor(Options()).AsyncUnaryCall("id", ScriptedCalls.Context(ScriptedCalls.GetDataset, new CallOptions(deadline: callerDeadline)), script.Unary);
        await Interceptor(Options() with { DefaultDeadline = TimeSpan.Zero }).AsyncUnaryCall("id", ScriptedCalls.Context(ScriptedCalls.GetDataset), script.Unary);

        Assert.Equal(callerDeadline, script.Attempts[0].Deadline);
        Assert.Null(script.Attempts[1].Deadline);
    }

    [Fact]
    public async Task No_retry_is_sent_once_the_deadline_has_passed()
    {
        var script = new ScriptedCalls(StatusCode.Unavailable, StatusCode.OK);
        var interceptor = Interceptor(Options());
        var pastDeadline = Start.UtcDateTime.AddSeconds(-1);

        await Assert.ThrowsAsync<RpcException>(async () =>
            await interceptor.AsyncUnaryCall("id", ScriptedCalls.Context(ScriptedCalls.GetDataset, new CallOptions(deadline: pastDeadline)), script.Unary));

        Assert.Single(script.Attempts);
    }

    [Fact]
    public async Task Streaming_calls_get_the_streaming_deadline_and_are_never_retried()
    {
        var script = new ScriptedCalls(StatusCode.Unavailable, StatusCode.OK, StatusCode.OK, StatusCode.OK);
        var interceptor = Interceptor(Options() with { StreamingDeadline = TimeSpan.FromMinutes(10) });

        using var watch = interceptor.AsyncServerStreamingCall("job-1", ScriptedCalls.Context(ScriptedCalls.WatchJob), script.ServerStreaming);
        var failure = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseHeadersAsync);
        using var upload = interceptor.AsyncClientStreamingCall(ScriptedCalls.Context(ScriptedCalls.UploadShard), script.ClientStreaming);
        using var chat = interceptor.AsyncDuplexStreamingCall(ScriptedCalls.Context(ScriptedCalls.Chat), script.Duplex);

        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Equal("reply 2", await upload);
        Assert.True(await chat.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal("pong", chat.ResponseStream.Current);
        Assert.Equal(3, script.Attempts.Count);
        Assert.All(script.Attempts, options => Assert.Equal(Start.UtcDateTime.AddMinutes(10), options.Deadline));
    }

    [Fact]
    public async Task The_circuit_opens_after_the_failure_ratio_answers_UNAVAILABLE_without_calling_and_lets_a_probe_through_after_the_break()
    {
        var script = new ScriptedCalls(StatusCode.Unavailable, StatusCode.Unavailable, StatusCode.Unavailable, StatusCode.OK, StatusCode.OK);
        var interceptor = Interceptor(Options(maxRetries: 0, minimumThroughput: 3));

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<RpcException>(async () => await interceptor.AsyncUnaryCall("spec", ScriptedCalls.Context(ScriptedCalls.CreateDataset), script.Unary));
        }

        Assert.Equal(CircuitState.Open, interceptor.CircuitState);
        using var refused = interceptor.AsyncUnaryCall("spec", ScriptedCalls.Context(ScriptedCalls.CreateDataset), script.Unary);
        var failure = await Assert.ThrowsAsync<RpcException>(() => refused.ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Contains("circuit to http://datasets:50051 is open", failure.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unavailable, refused.GetStatus().StatusCode);
        Assert.Equal(StatusCode.Unavailable, (await Assert.ThrowsAsync<RpcException>(() => refused.ResponseHeadersAsync)).StatusCode);
        Assert.Equal(3, script.Attempts.Count);

        _clock.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal("reply 4", await interceptor.AsyncUnaryCall("spec", ScriptedCalls.Context(ScriptedCalls.CreateDataset), script.Unary));
        Assert.Equal(CircuitState.Closed, interceptor.CircuitState);
    }

    [Fact]
    public async Task An_open_circuit_stops_retries_too()
    {
        var script = new ScriptedCalls(Enumerable.Repeat(StatusCode.Unavailable, 10).ToArray());
        var interceptor = Interceptor(Options(maxRetries: 5, minimumThroughput: 2));

        var failure = await Assert.ThrowsAsync<RpcException>(async () => await interceptor.AsyncUnaryCall("id", ScriptedCalls.Context(ScriptedCalls.GetDataset), script.Unary));

        Assert.Contains("circuit", failure.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(2, script.Attempts.Count);
    }

    [Fact]
    public async Task Application_errors_do_not_open_the_circuit()
    {
        var script = new ScriptedCalls(Enumerable.Repeat(StatusCode.NotFound, 10).ToArray());
        var interceptor = Interceptor(Options(minimumThroughput: 2));

        for (var i = 0; i < 10; i++)
        {
            await Assert.ThrowsAsync<RpcException>(async () => await interceptor.AsyncUnaryCall("id", ScriptedCalls.Context(ScriptedCalls.GetDataset), script.Unary));
        }

        Assert.Equal(CircuitState.Closed, interceptor.CircuitState);
        Assert.Equal(10, script.Attempts.Count);
    }

    [Fact]
    public async Task Failing_streams_open_the_circuit_and_an_open_circuit_refuses_streams_at_once()
    {
        var script = new ScriptedCalls(StatusCode.Unavailable, StatusCode.Unavailable, StatusCode.OK);
        var interceptor = Interceptor(Options(minimumThroughput: 2));

        for (var i = 0; i < 2; i++)
        {
            using var watch = interceptor.AsyncServerStreamingCall("job", ScriptedCalls.Context(ScriptedCalls.WatchJob), script.ServerStreaming);
            await Assert.ThrowsAsync<RpcException>(() => watch.ResponseHeadersAsync);
        }

        await WaitForAsync(() => interceptor.CircuitState == CircuitState.Open);
        using var refused = interceptor.AsyncServerStreamingCall("job", ScriptedCalls.Context(ScriptedCalls.WatchJob), script.ServerStreaming);
        var readFailure = await Assert.ThrowsAsync<RpcException>(() => refused.ResponseStream.MoveNext(CancellationToken.None));
        using var refusedUpload = interceptor.AsyncClientStreamingCall(ScriptedCalls.Context(ScriptedCalls.UploadShard), script.ClientStreaming);
        var writeFailure = await Assert.ThrowsAsync<RpcException>(() => refusedUpload.RequestStream.WriteAsync("chunk"));
        using var refusedChat = interceptor.AsyncDuplexStreamingCall(ScriptedCalls.Context(ScriptedCalls.Chat), script.Duplex);

        Assert.Equal(StatusCode.Unavailable, readFailure.StatusCode);
        Assert.Equal(StatusCode.Unavailable, writeFailure.StatusCode);
        Assert.Equal(StatusCode.Unavailable, refused.GetStatus().StatusCode);
        Assert.Equal(StatusCode.Unavailable, (await Assert.ThrowsAsync<RpcException>(() => refusedChat.ResponseHeadersAsync)).StatusCode);
        Assert.Equal(2, script.Attempts.Count);

        _clock.Advance(TimeSpan.FromSeconds(6));
        using var probe = interceptor.AsyncServerStreamingCall("job", ScriptedCalls.Context(ScriptedCalls.WatchJob), script.ServerStreaming);
        await probe.ResponseHeadersAsync;
        await WaitForAsync(() => interceptor.CircuitState == CircuitState.Closed);
    }

    [Fact]
    public async Task A_quiet_stream_that_stays_open_counts_as_a_success_and_frees_the_half_open_probe()
    {
        var script = new ScriptedCalls(StatusCode.Unavailable, StatusCode.Unavailable);
        var interceptor = Interceptor(Options(maxRetries: 0, minimumThroughput: 2) with { StreamAcceptedAfter = TimeSpan.FromMilliseconds(200) });
        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<RpcException>(async () => await interceptor.AsyncUnaryCall("spec", ScriptedCalls.Context(ScriptedCalls.CreateDataset), script.Unary));
        }

        _clock.Advance(TimeSpan.FromSeconds(6));
        var headers = new TaskCompletionSource<Metadata>();
        using var quiet = interceptor.AsyncServerStreamingCall("job", ScriptedCalls.Context(ScriptedCalls.WatchJob), (_, _) =>
            new AsyncServerStreamingCall<string>(new GrpcServer.ListStreamReader<string>(), headers.Task, () => Status.DefaultSuccess, () => [], () => { }));

        Assert.Equal(CircuitState.HalfOpen, interceptor.CircuitState);
        await WaitForAsync(() => interceptor.CircuitState == CircuitState.Closed);
        Assert.Equal("reply 3", await interceptor.AsyncUnaryCall("spec", ScriptedCalls.Context(ScriptedCalls.CreateDataset), script.Unary));
        headers.SetResult([]);
    }

    [Fact]
    public async Task Disposing_the_call_cancels_a_pending_retry()
    {
        var script = new ScriptedCalls(Enumerable.Repeat(StatusCode.Unavailable, 10).ToArray());
        var interceptor = Interceptor(Options() with { RetryBaseDelay = TimeSpan.FromSeconds(20), RetryMaxDelay = TimeSpan.FromSeconds(30) });
        var stopwatch = Stopwatch.StartNew();

        var call = interceptor.AsyncUnaryCall("id", ScriptedCalls.Context(ScriptedCalls.GetDataset), script.Unary);
        await WaitForAsync(() => script.Attempts.Count == 1);
        call.Dispose();

        var failure = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Cancelled, failure.StatusCode);
        Assert.Single(script.Attempts);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task The_callers_token_cancels_a_pending_retry()
    {
        var script = new ScriptedCalls(Enumerable.Repeat(StatusCode.Unavailable, 10).ToArray());
        var interceptor = Interceptor(Options() with { RetryBaseDelay = TimeSpan.FromSeconds(20), RetryMaxDelay = TimeSpan.FromSeconds(30) });
        using var cancellation = new CancellationTokenSource();

        var call = interceptor.AsyncUnaryCall("id", ScriptedCalls.Context(ScriptedCalls.GetDataset, new CallOptions(cancellationToken: cancellation.Token)), script.Unary);
        await WaitForAsync(() => script.Attempts.Count == 1);
        await cancellation.CancelAsync();

        Assert.Equal(StatusCode.Cancelled, (await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.Cancelled, call.GetStatus().StatusCode);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), "condition not reached within 10 s");
            await Task.Delay(10);
        }
    }
}
