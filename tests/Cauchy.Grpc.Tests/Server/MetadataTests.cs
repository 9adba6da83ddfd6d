using Cauchy.Grpc.Tests.Server.Infrastructure;
using Grpc.Core;
using Xunit;

namespace Cauchy.Grpc.Tests.Server;

public sealed class MetadataTests
{
    [Fact]
    public async Task Request_headers_become_metadata_without_protocol_headers_and_with_binary_values_decoded()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.Unary = (_, context) => Task.FromResult(string.Join(";", context.RequestHeaders.Select(entry =>
            entry.IsBinary ? entry.Key + "=" + Convert.ToHexString(entry.ValueBytes) : entry.Key + "=" + entry.Value)));

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"), request =>
        {
            request.Headers.Add("x-plain", "value 1");
            request.Headers.Add("x-padded-bin", Convert.ToBase64String([1, 2, 3, 4]));
            request.Headers.Add("x-unpadded-bin", Convert.ToBase64String([5, 6, 7, 8]).TrimEnd('='));
            request.Headers.Add("grpc-timeout", "10S");
            request.Headers.Add("grpc-accept-encoding", "gzip");
        });

        var entries = result.Texts.Single().Split(';');
        Assert.Contains("x-plain=value 1", entries);
        Assert.Contains("x-padded-bin=01020304", entries);
        Assert.Contains("x-unpadded-bin=05060708", entries);
        Assert.DoesNotContain(entries, entry => entry.StartsWith("grpc-", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, entry => entry.StartsWith("content-type=", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, entry => entry.StartsWith("te=", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, entry => entry.StartsWith(':'));
    }

    [Fact]
    public async Task Call_context_reports_method_host_and_peer()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.Unary = (_, context) => Task.FromResult($"{context.Method}|{context.Host}|{context.Peer}");

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"));

        var parts = result.Texts.Single().Split('|');
        Assert.Equal("/cauchy.test.Tests/Unary", parts[0]);
        Assert.Equal($"127.0.0.1:{host.Port}", parts[1]);
        Assert.StartsWith("ipv4:127.0.0.1:", parts[2]);
    }

    [Fact]
    public async Task Response_headers_written_by_the_handler_arrive_before_the_first_message()
    {
        await using var host = await GrpcTestHost.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Script.ServerStream = async (_, stream, context) =>
        {
            await context.WriteResponseHeadersAsync(new Metadata { { "x-early", "yes" }, { "x-early-bin", new byte[] { 0, 255 } } });
            await release.Task;
            await stream.WriteAsync("message");
        };
        using var request = host.Request("/cauchy.test.Tests/ServerStream", GrpcTestHost.Body(GrpcFrames.Frame("x")));

        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(TimeSpan.FromSeconds(10));
        var early = response.Headers.GetValues("x-early").Single();
        var earlyBin = response.Headers.GetValues("x-early-bin").Single();
        release.SetResult();
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("yes", early);
        Assert.Equal(new byte[] { 0, 255 }, Convert.FromBase64String(earlyBin.PadRight((earlyBin.Length + 3) / 4 * 4, '=')));
        Assert.Equal(["message"], GrpcFrames.Parse(body).Select(frame => frame.Text));
    }

    [Fact]
    public async Task Response_headers_can_be_written_once_and_only_before_the_first_message()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.ServerStream = async (_, stream, context) =>
        {
            await context.WriteResponseHeadersAsync(new Metadata { { "x-first", "1" } });
            var twice = await Record.ExceptionAsync(() => context.WriteResponseHeadersAsync(new Metadata { { "x-second", "2" } }));
            host.Script.Record("twice: " + twice?.GetType().Name);
            await stream.WriteAsync("m");
        };
        host.Script.Duplex = async (_, stream, context) =>
        {
            await stream.WriteAsync("m");
            var afterWrite = await Record.ExceptionAsync(() => context.WriteResponseHeadersAsync(new Metadata { { "x-late", "1" } }));
            host.Script.Record("after write: " + afterWrite?.GetType().Name);
        };

        var twiceResult = await host.CallAsync("/cauchy.test.Tests/ServerStream", GrpcFrames.Frame("x"));
        var lateResult = await host.CallAsync("/cauchy.test.Tests/Duplex", []);

        Assert.Contains("twice: InvalidOperationException", host.Script.RecordedEvents());
        Assert.Contains("after write: InvalidOperationException", host.Script.RecordedEvents());
        Assert.False(twiceResult.Headers.Contains("x-second"));
        Assert.False(lateResult.Headers.Contains("x-late"));
        Assert.Equal(StatusCode.OK, twiceResult.Status);
        Assert.Equal(StatusCode.OK, lateResult.Status);
    }

    [Fact]
    public async Task Response_trailers_including_binary_ones_are_sent_after_the_messages()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.Unary = (_, context) =>
        {
            context.ResponseTrailers.Add("x-trailer", "t1");
            context.ResponseTrailers.Add("x-trailer-bin", new byte[] { 9, 8, 7 });
            return Task.FromResult("ok");
        };

        var result = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"));

        Assert.Equal(StatusCode.OK, result.Status);
        Assert.Equal("t1", result.Trailers.GetValues("x-trailer").Single());
        Assert.Equal(new byte[] { 9, 8, 7 }, Cauchy.Grpc.Internal.GrpcProtocol.DecodeBase64Lenient(result.Trailers.GetValues("x-trailer-bin").Single()));
        Assert.False(result.Headers.Contains("x-trailer"));
    }

    [Fact]
    public async Task Rpc_exception_trailers_are_sent_with_its_status()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.Unary = (_, context) =>
        {
            context.ResponseTrailers.Add("x-from-context", "c");
            throw new RpcException(new Status(StatusCode.NotFound, "Dataset 'd1' does not exist."), new Metadata { { "x-from-exception", "e" } });
        };
        host.Script.ServerStream = async (_, stream, _) =>
        {
            await stream.WriteAsync("one");
            throw new RpcException(new Status(StatusCode.Aborted, "stream ended"), new Metadata { { "x-detail-bin", new byte[] { 1 } } });
        };

        var unary = await host.CallAsync("/cauchy.test.Tests/Unary", GrpcFrames.Frame("x"));
        var streaming = await host.CallAsync("/cauchy.test.Tests/ServerStream", GrpcFrames.Frame("x"));

        Assert.True(unary.IsTrailersOnly);
        Assert.Equal(StatusCode.NotFound, unary.Status);
        Assert.Equal("Dataset 'd1' does not exist.", unary.Message);
        Assert.Equal("c", unary.Get("x-from-context"));
        Assert.Equal("e", unary.Get("x-from-exception"));
        Assert.Equal(StatusCode.Aborted, streaming.Status);
        Assert.Equal(["one"], streaming.Texts);
        Assert.Equal(new byte[] { 1 }, Cauchy.Grpc.Internal.GrpcProtocol.DecodeBase64Lenient(streaming.Trailers.GetValues("x-detail-bin").Single()));
    }

    [Fact]
    public async Task Status_set_on_the_context_is_sent_when_the_handler_returns()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.ServerStream = (_, _, context) =>
        {
            context.Status = new Status(StatusCode.FailedPrecondition, "Job 7 is not running: 100% done ✓");
            return Task.CompletedTask;
        };

        var result = await host.CallAsync("/cauchy.test.Tests/ServerStream", GrpcFrames.Frame("x"));

        Assert.Equal(StatusCode.FailedPrecondition, result.Status);
        Assert.Equal("Job 7 is not running: 100% done ✓", result.Message);
        Assert.Contains("%25", result.Headers.GetValues("grpc-message").Single());
    }

    [Fact]
    public async Task Empty_metadata_values_are_valid_in_requests_headers_and_trailers()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.ServerStream = async (_, stream, context) =>
        {
            var received = context.RequestHeaders.Where(entry => entry.Key.StartsWith("x-empty", StringComparison.Ordinal)).ToArray();
            host.Script.Record(string.Join(";", received.Select(entry => entry.Key + "=" + (entry.IsBinary ? entry.ValueBytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) : "'" + entry.Value + "'"))));
            await context.WriteResponseHeadersAsync(new Metadata { { "x-empty-text", "" }, { "x-empty-bin", Array.Empty<byte>() } });
            context.ResponseTrailers.Add("x-empty-trailer", "");
            context.ResponseTrailers.Add("x-empty-trailer-bin", Array.Empty<byte>());
            await stream.WriteAsync("m");
        };

        var result = await host.CallAsync("/cauchy.test.Tests/ServerStream", GrpcFrames.Frame("x"), request =>
        {
            request.Headers.TryAddWithoutValidation("x-empty-text", "");
            request.Headers.TryAddWithoutValidation("x-empty-bin", "");
        });

        Assert.Equal(StatusCode.OK, result.Status);
        Assert.Equal(["x-empty-text='';x-empty-bin=0", "disposed"], host.Script.RecordedEvents());
        Assert.Equal("", result.Headers.GetValues("x-empty-text").Single());
        Assert.Equal("", result.Headers.GetValues("x-empty-bin").Single());
        Assert.Equal("", result.Trailers.GetValues("x-empty-trailer").Single());
        Assert.Equal("", result.Trailers.GetValues("x-empty-trailer-bin").Single());
    }
}
