using System.Diagnostics;
using System.Globalization;
using Cauchy.Grpc.Tests.Server.Infrastructure;
using Grpc.Core;
using Xunit;

namespace Cauchy.Grpc.Tests.Server;

public sealed class DeadlineTests
{
    [Theory]
    [InlineData("2H", 2 * 3600_000.0)]
    [InlineData("3M", 3 * 60_000.0)]
    [InlineData("40S", 40_000.0)]
    [InlineData("1500m", 1500.0)]
    [InlineData("2500000u", 2500.0)]
    [InlineData("90000000n", 90.0)]
    public async Task Grpc_timeout_in_every_unit_sets_the_deadline(string timeout, double expectedMilliseconds)
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.Unary = (_, context) =>
            Task.FromResult((context.Deadline - DateTime.UtcNow).TotalMilliseconds.ToString(CultureInfo.InvariantCulture));

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"), request => request.Headers.Add("grpc-timeout", timeout));

        Assert.Equal(StatusCode.OK, result.Status);
        var remaining = double.Parse(result.Texts.Single(), CultureInfo.InvariantCulture);
        Assert.InRange(remaining, expectedMilliseconds - 1000, expectedMilliseconds);
    }

    [Fact]
    public async Task Without_grpc_timeout_the_deadline_is_max_value()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.Unary = (_, context) => Task.FromResult(context.Deadline == DateTime.MaxValue ? "none" : "set");

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"));

        Assert.Equal(["none"], result.Texts);
    }

    [Fact]
    public async Task Malformed_grpc_timeout_is_ignored()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.Unary = (_, context) => Task.FromResult(context.Deadline == DateTime.MaxValue ? "none" : "set");

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"), request => request.Headers.Add("grpc-timeout", "12x"));

        Assert.Equal(StatusCode.OK, result.Status);
        Assert.Equal(["none"], result.Texts);
    }

    [Fact]
    public async Task Deadline_fires_the_handler_token_and_ends_the_call_with_deadline_exceeded()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.Unary = async (_, context) =>
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return "never";
        };

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"), request => request.Headers.Add("grpc-timeout", "200m"));

        Assert.Equal(StatusCode.DeadlineExceeded, result.Status);
        Assert.True(result.IsTrailersOnly);
        Assert.Empty(result.Frames);
    }

    [Fact]
    public async Task Deadline_ends_the_response_even_when_the_handler_ignores_its_token()
    {
        await using var host = await GrpcTestHost.StartAsync();
        var handlerDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Script.Unary = async (_, context) =>
        {
            await release.Task;
            host.Script.Record("cancelled=" + context.CancellationToken.IsCancellationRequested);
            handlerDone.SetResult();
            return "late";
        };
        var stopwatch = Stopwatch.StartNew();

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"), request => request.Headers.Add("grpc-timeout", "200m"));
        stopwatch.Stop();
        release.SetResult();
        await handlerDone.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(StatusCode.DeadlineExceeded, result.Status);
        Assert.Empty(result.Frames);
        Assert.InRange(stopwatch.ElapsedMilliseconds, 150, 5000);
        // The late response was not sent, and the token had fired by then.
        Assert.Equal(["cancelled=True", "disposed"], host.Script.RecordedEvents());
    }

    [Fact]
    public async Task Writes_after_the_deadline_fail_and_the_stream_stays_well_formed()
    {
        await using var host = await GrpcTestHost.StartAsync();
        var handlerDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Script.ServerStream = async (_, stream, context) =>
        {
            try
            {
                await stream.WriteAsync("before");
                // Wait for the deadline itself rather than a fixed delay: on a loaded machine a short sleep can
                // end before the deadline fires, and a short deadline can fire before "before" is written.
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), context.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                }
                await stream.WriteAsync("after");
                host.Script.Record("late write accepted");
            }
            catch (InvalidOperationException ex)
            {
                host.Script.Record("late write failed: " + ex.Message);
            }
            finally
            {
                handlerDone.SetResult();
            }
        };

        var result = await host.CallAsync("/cauchy.test.Tests/ServerStream", GrpcFrames.Frame("x"), request => request.Headers.Add("grpc-timeout", "2S"));
        await handlerDone.Task.WaitAsync(TimeSpan.FromSeconds(40));

        Assert.Equal(["before"], result.Texts);
        Assert.Equal(StatusCode.DeadlineExceeded, result.Status);
        Assert.Contains("late write failed: Can't write the message because the deadline has been exceeded.", host.Script.RecordedEvents());
    }

    [Fact]
    public async Task Deadline_wakes_a_handler_waiting_for_the_next_request_message()
    {
        await using var host = await GrpcTestHost.StartAsync();
        var handlerDone = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Script.ClientStream = async (requests, _) =>
        {
            try
            {
                // No token: only the deadline can end this wait.
                while (await requests.MoveNext(CancellationToken.None))
                {
                }
                handlerDone.SetResult("ended normally");
            }
            catch (Exception ex)
            {
                handlerDone.SetResult(ex.GetType().Name);
                throw;
            }
            return "never";
        };
        var content = new StreamingContent();
        using var request = host.Request("/cauchy.test.Tests/ClientStream", content);
        request.Headers.Add("grpc-timeout", "200m");
        var call = host.SendAsync(request);
        await content.WriteAsync(GrpcFrames.Frame("one"));

        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));
        var handlerOutcome = await handlerDone.Task.WaitAsync(TimeSpan.FromSeconds(10));
        content.Complete();

        Assert.Equal(StatusCode.DeadlineExceeded, result.Status);
        Assert.Equal(nameof(RpcException), handlerOutcome);
    }

    [Fact]
    public async Task Handler_that_finishes_before_the_deadline_is_not_affected()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.Unary = async (request, context) =>
        {
            await Task.Delay(20);
            return "done";
        };

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"), request => request.Headers.Add("grpc-timeout", "5S"));
        await Task.Delay(100);

        Assert.Equal(StatusCode.OK, result.Status);
        Assert.Equal(["done"], result.Texts);
    }

    [Fact]
    public async Task Many_calls_racing_their_deadline_all_end_with_a_single_well_formed_status()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.ServerStream = async (_, stream, context) =>
        {
            for (var i = 0; i < 50 && !context.CancellationToken.IsCancellationRequested; i++)
            {
                await stream.WriteAsync("m" + i);
                await Task.Delay(1);
            }
        };

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            host.CallAsync("/cauchy.test.Tests/ServerStream", GrpcFrames.Frame("x"), request => request.Headers.Add("grpc-timeout", (20 + i) + "m"))));

        Assert.All(results, result =>
        {
            Assert.Contains(result.Status, new[] { StatusCode.OK, StatusCode.DeadlineExceeded });
            Assert.Single(result.Trailers.Concat(result.Headers), header => header.Key == "grpc-status");
            Assert.Equal(Enumerable.Range(0, result.Frames.Count).Select(i => "m" + i), result.Texts);
        });
        var ok = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("after"));
        Assert.Equal(StatusCode.OK, ok.Status);
    }
}
