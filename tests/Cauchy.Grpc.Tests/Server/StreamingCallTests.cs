using Cauchy.Grpc.Tests.Server.Infrastructure;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Xunit;

namespace Cauchy.Grpc.Tests.Server;

public sealed class StreamingCallTests
{
    [Fact]
    public async Task Server_streaming_sends_every_message_then_ok_trailers()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync("/cauchy.test.Tests/ServerStream", GrpcFrames.Frame("5"));

        Assert.Equal(["item0", "item1", "item2", "item3", "item4"], result.Texts);
        Assert.Equal(StatusCode.OK, result.Status);
        Assert.False(result.IsTrailersOnly);
    }

    [Fact]
    public async Task Server_streaming_with_no_messages_is_a_trailers_only_ok()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync("/cauchy.test.Tests/ServerStream", GrpcFrames.Frame("0"));

        Assert.True(result.IsTrailersOnly);
        Assert.Equal(StatusCode.OK, result.Status);
        Assert.Equal("application/grpc", result.ContentType);
    }

    [Fact]
    public async Task Server_streaming_flushes_each_message_as_it_is_written()
    {
        await using var host = await GrpcTestHost.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Script.ServerStream = async (_, stream, _) =>
        {
            await stream.WriteAsync("first");
            await release.Task;
            await stream.WriteAsync("second");
        };
        using var request = host.Request("/cauchy.test.Tests/ServerStream", GrpcTestHost.Body(GrpcFrames.Frame("x")));
        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();

        // The first message must arrive while the handler is still blocked before the second.
        var first = await GrpcFrames.ReadFrameAsync(body).WaitAsync(TimeSpan.FromSeconds(10));
        release.SetResult();
        var second = await GrpcFrames.ReadFrameAsync(body);
        var end = await GrpcFrames.ReadFrameAsync(body);

        Assert.Equal("first", first!.Text);
        Assert.Equal("second", second!.Text);
        Assert.Null(end);
        Assert.Equal("0", string.Join(",", response.TrailingHeaders.GetValues("grpc-status")));
    }

    [Fact]
    public async Task Client_streaming_reads_every_message_until_the_client_half_closes()
    {
        await using var host = await GrpcTestHost.StartAsync();
        var content = new StreamingContent();
        using var request = host.Request("/cauchy.test.Tests/ClientStream", content);
        var call = host.SendAsync(request);

        for (var i = 0; i < 4; i++)
        {
            await content.WriteAsync(GrpcFrames.Frame("m" + i));
            await Task.Delay(10);
        }
        content.Complete();
        var result = await call;

        Assert.Equal(StatusCode.OK, result.Status);
        Assert.Equal(["m0,m1,m2,m3"], result.Texts);
    }

    [Fact]
    public async Task Client_streaming_with_no_messages_gets_an_empty_stream()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync("/cauchy.test.Tests/ClientStream", []);

        Assert.Equal(StatusCode.OK, result.Status);
        Assert.Equal([""], result.Texts);
    }

    [Fact]
    public async Task Client_streaming_request_that_ends_inside_a_message_fails_the_read_with_internal()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync("/cauchy.test.Tests/ClientStream", GrpcFrames.Concat(GrpcFrames.Frame("ok"), GrpcFrames.Frame("cut")[..6]));

        Assert.Equal(StatusCode.Internal, result.Status);
        Assert.Contains("Incomplete message", result.Message);
    }

    [Fact]
    public async Task Duplex_answers_each_message_before_the_next_is_sent()
    {
        await using var host = await GrpcTestHost.StartAsync();
        var content = new StreamingContent();
        using var request = host.Request("/cauchy.test.Tests/Duplex", content);
        var responseTask = host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        await content.WriteAsync(GrpcFrames.Frame("ping1"));
        using var response = await responseTask.WaitAsync(TimeSpan.FromSeconds(10));
        await using var body = await response.Content.ReadAsStreamAsync();
        var first = await GrpcFrames.ReadFrameAsync(body).WaitAsync(TimeSpan.FromSeconds(10));
        await content.WriteAsync(GrpcFrames.Frame("ping2"));
        var second = await GrpcFrames.ReadFrameAsync(body).WaitAsync(TimeSpan.FromSeconds(10));
        content.Complete();
        var end = await GrpcFrames.ReadFrameAsync(body);

        Assert.Equal("re:ping1", first!.Text);
        Assert.Equal("re:ping2", second!.Text);
        Assert.Null(end);
        Assert.Equal("0", string.Join(",", response.TrailingHeaders.GetValues("grpc-status")));
    }

    [Fact]
    public async Task Messages_that_arrive_together_on_an_open_stream_are_each_delivered_at_once()
    {
        await using var host = await GrpcTestHost.StartAsync();
        var content = new StreamingContent();
        using var request = host.Request("/cauchy.test.Tests/Duplex", content);
        var responseTask = host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        // Three messages in one write, and the request stays open: no later data will nudge the server.
        await content.WriteAsync(GrpcFrames.Concat(GrpcFrames.Frame("a"), GrpcFrames.Frame("b"), GrpcFrames.Frame("c")));
        using var response = await responseTask.WaitAsync(TimeSpan.FromSeconds(10));
        await using var body = await response.Content.ReadAsStreamAsync();
        var answers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add((await GrpcFrames.ReadFrameAsync(body).WaitAsync(TimeSpan.FromSeconds(5)))!.Text);
        }
        content.Complete();

        Assert.Equal(["re:a", "re:b", "re:c"], answers);
    }

    [Fact]
    public async Task Client_stream_longer_than_kestrels_default_body_limit_is_accepted()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.ClientStream = async (requests, context) =>
        {
            long total = 0;
            while (await requests.MoveNext(context.CancellationToken))
            {
                total += requests.Current.Length;
            }
            return total.ToString(System.Globalization.CultureInfo.InvariantCulture);
        };
        var content = new StreamingContent();
        using var request = host.Request("/cauchy.test.Tests/ClientStream", content);
        var call = host.SendAsync(request);

        // 36 MiB in total: over Kestrel's 30 MB default request body limit, which gRPC streams must not hit.
        var frame = GrpcFrames.Frame(new string('x', 1024 * 1024));
        for (var i = 0; i < 36; i++)
        {
            await content.WriteAsync(frame);
        }
        content.Complete();
        var result = await call.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(StatusCode.OK, result.Status);
        Assert.Equal([(36L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture)], result.Texts);
    }

    [Fact]
    public async Task Large_streamed_messages_arrive_intact_and_in_order()
    {
        await using var host = await GrpcTestHost.StartAsync();
        const int count = 64;
        const int size = 64 * 1024;
        host.Script.BytesStream = async (_, stream, _) =>
        {
            for (var i = 0; i < count; i++)
            {
                var message = new byte[size];
                message.AsSpan().Fill((byte)i);
                await stream.WriteAsync(message);
            }
        };

        var result = await host.CallAsync("/cauchy.test.Tests/BytesStream", GrpcFrames.Frame([]));

        Assert.Equal(StatusCode.OK, result.Status);
        Assert.Equal(count, result.Frames.Count);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(size, result.Frames[i].Payload.Length);
            Assert.All(result.Frames[i].Payload, b => Assert.Equal((byte)i, b));
        }
    }

    [Fact]
    public async Task Concurrent_writes_on_one_stream_are_refused()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.BytesStream = async (_, stream, context) =>
        {
            // 8 MiB cannot fit the client's flow-control window while nobody reads, so the first write stays pending.
            var first = stream.WriteAsync(new byte[8 * 1024 * 1024]);
            try
            {
                await stream.WriteAsync([1]);
                host.Script.Record("second write accepted");
            }
            catch (InvalidOperationException ex)
            {
                host.Script.Record("refused: " + ex.Message);
            }
            await first;
        };
        using var request = host.Request("/cauchy.test.Tests/BytesStream", GrpcTestHost.Body(GrpcFrames.Frame([])));
        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await Task.Delay(200);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Contains(host.Script.RecordedEvents(), e => e.StartsWith("refused: ", StringComparison.Ordinal) && e.Contains("in progress"));
        Assert.Equal(8 * 1024 * 1024, GrpcFrames.Parse(body).Single().Payload.Length);
    }

    [Fact]
    public async Task Buffer_hint_writes_are_sent_with_the_next_flush()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.ServerStream = async (_, stream, _) =>
        {
            stream.WriteOptions = new WriteOptions(WriteFlags.BufferHint);
            await stream.WriteAsync("buffered1");
            await stream.WriteAsync("buffered2");
            stream.WriteOptions = null;
            await stream.WriteAsync("flushed");
        };

        var result = await host.CallAsync("/cauchy.test.Tests/ServerStream", GrpcFrames.Frame("x"));

        Assert.Equal(["buffered1", "buffered2", "flushed"], result.Texts);
    }

    [Fact]
    public async Task Serializer_that_writes_a_different_length_than_announced_resets_the_stream_instead_of_corrupting_it()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions
        {
            Map = endpoints => endpoints.MapGrpcService<LiarService>(),
        });

        using var request = host.Request("/cauchy.test.Liar/Stream", GrpcTestHost.Body(GrpcFrames.Frame("x")));
        var error = await Record.ExceptionAsync(async () =>
        {
            using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await response.Content.ReadAsByteArrayAsync();
        });

        Assert.NotNull(error);
        Assert.Contains(host.Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Message.Contains("partly written"));
    }
}
