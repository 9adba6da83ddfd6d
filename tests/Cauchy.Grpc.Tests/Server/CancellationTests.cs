using System.Net.Http;
using Cauchy.Grpc.Tests.Server.Infrastructure;
using Grpc.Core;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Cauchy.Grpc.Tests.Server;

public sealed class CancellationTests
{
    [Fact]
    public async Task Client_reset_fires_the_handler_token()
    {
        await using var host = await GrpcTestHost.StartAsync();
        var observed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Script.ServerStream = async (_, stream, context) =>
        {
            await stream.WriteAsync("first");
            try
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                observed.SetResult("token fired");
                throw;
            }
        };
        using var request = host.Request("/cauchy.test.Tests/ServerStream", GrpcTestHost.Body(GrpcFrames.Frame("x")));
        var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStreamAsync();
        Assert.Equal("first", (await GrpcFrames.ReadFrameAsync(body))!.Text);

        // Disposing an unfinished HTTP/2 response makes HttpClient send RST_STREAM(CANCEL).
        response.Dispose();

        Assert.Equal("token fired", await observed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await WaitForAsync(() => host.Script.RecordedEvents().Contains("disposed"));
        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= LogLevel.Warning);
        var ok = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("after"));
        Assert.Equal(StatusCode.OK, ok.Status);
    }

    [Fact]
    public async Task Client_cancel_wakes_a_handler_reading_the_request_stream()
    {
        await using var host = await GrpcTestHost.StartAsync();
        var observed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Script.ClientStream = async (requests, context) =>
        {
            try
            {
                while (await requests.MoveNext(CancellationToken.None))
                {
                    host.Script.Record("got " + requests.Current);
                }
                observed.SetResult("ended normally");
            }
            catch (Exception)
            {
                observed.SetResult("read failed, token cancelled=" + context.CancellationToken.IsCancellationRequested);
                throw;
            }
            return "never";
        };
        var content = new StreamingContent();
        using var cancel = new CancellationTokenSource();
        using var request = host.Request("/cauchy.test.Tests/ClientStream", content);
        var call = host.Client.SendAsync(request, cancel.Token);
        await content.WriteAsync(GrpcFrames.Frame("one"));
        await WaitForAsync(() => host.Script.RecordedEvents().Contains("got one"));

        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal("read failed, token cancelled=True", await observed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await WaitForAsync(() => host.Script.RecordedEvents().Contains("disposed"));
        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task Handler_throwing_rpc_exception_with_cancelled_ends_the_call_with_cancelled()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.ServerStream = async (_, stream, _) =>
        {
            await stream.WriteAsync("partial");
            throw new RpcException(new Status(StatusCode.Cancelled, "Stopped by the server."));
        };

        var result = await host.CallAsync("/cauchy.test.Tests/ServerStream", GrpcFrames.Frame("x"));

        Assert.Equal(["partial"], result.Texts);
        Assert.Equal(StatusCode.Cancelled, result.Status);
        Assert.Equal("Stopped by the server.", result.Message);
    }

    [Fact]
    public async Task Handler_can_abort_the_stream_with_an_http2_reset()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.ServerStream = async (_, stream, context) =>
        {
            await stream.WriteAsync("before abort");
            context.GetHttpContext().Features.Get<IHttpResetFeature>()!.Reset(0x8);
            host.Script.Record("aborted");
        };

        using var request = host.Request("/cauchy.test.Tests/ServerStream", GrpcTestHost.Body(GrpcFrames.Frame("x")));
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await response.Content.ReadAsByteArrayAsync();
            _ = response.TrailingHeaders.GetValues("grpc-status");
        });

        var protocolError = FindInner<HttpProtocolException>(error);
        Assert.NotNull(protocolError);
        Assert.Equal(0x8, protocolError.ErrorCode);
        await WaitForAsync(() => host.Script.RecordedEvents().Contains("disposed"));
        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= LogLevel.Warning);
        var ok = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("after"));
        Assert.Equal(StatusCode.OK, ok.Status);
    }

    [Fact]
    public async Task Writes_after_the_client_went_away_fail_instead_of_vanishing()
    {
        await using var host = await GrpcTestHost.StartAsync();
        var observed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clientGone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Script.ServerStream = async (_, stream, context) =>
        {
            await stream.WriteAsync("first");
            await clientGone.Task;
            await WaitForAsync(() => context.CancellationToken.IsCancellationRequested);
            try
            {
                await stream.WriteAsync("second");
                observed.SetResult("write accepted");
            }
            catch (OperationCanceledException)
            {
                observed.SetResult("write failed");
            }
        };
        using var request = host.Request("/cauchy.test.Tests/ServerStream", GrpcTestHost.Body(GrpcFrames.Frame("x")));
        var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStreamAsync();
        await GrpcFrames.ReadFrameAsync(body);
        response.Dispose();
        clientGone.SetResult();

        Assert.Equal("write failed", await observed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    internal static T? FindInner<T>(Exception? error)
        where T : Exception
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is T match)
            {
                return match;
            }
        }
        return null;
    }

    internal static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Condition not met within 10 seconds.");
            }
            await Task.Delay(10);
        }
    }
}
