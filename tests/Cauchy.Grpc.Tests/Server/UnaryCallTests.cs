using Cauchy.Grpc.Tests.Server.Infrastructure;
using Grpc.Core;
using Xunit;

namespace Cauchy.Grpc.Tests.Server;

public sealed class UnaryCallTests
{
    private const string UnaryPath = "/cauchy.test.Tests/Unary";

    [Fact]
    public async Task Unary_call_answers_with_grpc_headers_one_message_and_ok_trailers()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync(UnaryPath, GrpcFrames.Frame("hello"));

        Assert.Equal(200, result.HttpStatus);
        Assert.Equal("application/grpc", result.ContentType);
        Assert.Equal("identity,gzip", string.Join(",", result.Headers.GetValues("grpc-accept-encoding")));
        Assert.False(result.Headers.Contains("grpc-encoding"));
        Assert.Equal(["echo:hello"], result.Texts);
        Assert.Equal(0, result.Frames[0].Flag);
        Assert.Equal("0", string.Join(",", result.Trailers.GetValues("grpc-status")));
        Assert.False(result.Headers.Contains("grpc-status"));
    }

    [Fact]
    public async Task Message_that_arrives_one_byte_at_a_time_is_reassembled()
    {
        await using var host = await GrpcTestHost.StartAsync();
        var content = new StreamingContent();
        using var request = host.Request(UnaryPath, content);
        var call = host.SendAsync(request);

        foreach (var b in GrpcFrames.Frame("in pieces"))
        {
            await content.WriteAsync([b]);
        }
        content.Complete();
        var result = await call;

        Assert.Equal(StatusCode.OK, result.Status);
        Assert.Equal(["echo:in pieces"], result.Texts);
    }

    [Fact]
    public async Task Empty_message_is_a_valid_request()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync(UnaryPath, GrpcFrames.Frame(""));

        Assert.Equal(StatusCode.OK, result.Status);
        Assert.Equal(["echo:"], result.Texts);
    }

    [Fact]
    public async Task Unary_request_without_a_message_is_internal()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync(UnaryPath, []);

        Assert.Equal(StatusCode.Internal, result.Status);
        Assert.Contains("No request message", result.Message);
        Assert.True(result.IsTrailersOnly);
        Assert.Empty(host.Script.RecordedEvents());
    }

    [Fact]
    public async Task Unary_request_with_two_messages_is_internal()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync(UnaryPath, GrpcFrames.Concat(GrpcFrames.Frame("one"), GrpcFrames.Frame("two")));

        Assert.Equal(StatusCode.Internal, result.Status);
        Assert.Contains("Additional unexpected message", result.Message);
        Assert.Empty(result.Frames);
    }

    [Fact]
    public async Task Second_message_arriving_later_is_still_rejected()
    {
        await using var host = await GrpcTestHost.StartAsync();
        var content = new StreamingContent();
        using var request = host.Request(UnaryPath, content);
        var call = host.SendAsync(request);

        await content.WriteAsync(GrpcFrames.Frame("one"));
        await Task.Delay(50);
        await content.WriteAsync(GrpcFrames.Frame("two"));
        content.Complete();
        var result = await call;

        Assert.Equal(StatusCode.Internal, result.Status);
        Assert.Contains("Additional unexpected message", result.Message);
    }

    [Fact]
    public async Task Request_that_ends_inside_a_message_is_internal_incomplete_message()
    {
        await using var host = await GrpcTestHost.StartAsync();
        var frame = GrpcFrames.Frame("truncated");

        var result = await host.CallAsync(UnaryPath, frame[..^3]);

        Assert.Equal(StatusCode.Internal, result.Status);
        Assert.Contains("Incomplete message", result.Message);
    }

    [Fact]
    public async Task Request_that_ends_inside_a_frame_header_is_internal_incomplete_message()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync(UnaryPath, [0, 0, 0]);

        Assert.Equal(StatusCode.Internal, result.Status);
        Assert.Contains("Incomplete message", result.Message);
    }

    [Fact]
    public async Task Invalid_compressed_flag_is_internal()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync(UnaryPath, GrpcFrames.Frame("x"u8.ToArray(), compressedFlag: 2));

        Assert.Equal(StatusCode.Internal, result.Status);
        Assert.Contains("compressed flag", result.Message);
    }

    [Fact]
    public async Task Message_the_marshaller_cannot_parse_is_internal_error_deserializing_message()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync("/cauchy.test.Tests/Bytes", GrpcFrames.Frame([0xFF, 1, 2]));

        Assert.Equal(StatusCode.Internal, result.Status);
        Assert.Equal("Error deserializing message.", result.Message);
        // The same method still works for a good message.
        var good = await host.CallAsync("/cauchy.test.Tests/Bytes", GrpcFrames.Frame([1, 2, 3]));
        Assert.Equal(StatusCode.OK, good.Status);
        Assert.Equal(new byte[] { 1, 2, 3 }, good.Frames.Single().Payload);
    }

    [Fact]
    public async Task Oversized_message_is_rejected_from_its_length_prefix_before_the_body_arrives()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions { Grpc = options => options.MaxReceiveMessageSize = 1024 });
        var content = new StreamingContent();
        using var request = host.Request(UnaryPath, content);
        var call = host.SendAsync(request);

        // Only the header announcing 1 MiB is sent; the body never comes, so an answer proves the early check.
        var header = GrpcFrames.Frame(new byte[1024 * 1024])[..5];
        await content.WriteAsync(header);
        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));
        content.Complete();

        Assert.Equal(StatusCode.ResourceExhausted, result.Status);
        Assert.Equal("Received message exceeds the maximum configured message size.", result.Message);
    }

    [Fact]
    public async Task Default_receive_limit_is_4_MiB()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var atLimit = await host.CallAsync("/cauchy.test.Tests/Bytes", GrpcFrames.Frame(new byte[4 * 1024 * 1024]));
        var overLimit = await host.CallAsync("/cauchy.test.Tests/Bytes", GrpcFrames.Frame(new byte[4 * 1024 * 1024 + 1]));

        Assert.Equal(StatusCode.OK, atLimit.Status);
        Assert.Equal(4 * 1024 * 1024, atLimit.Frames.Single().Payload.Length);
        Assert.Equal(StatusCode.ResourceExhausted, overLimit.Status);
    }

    [Fact]
    public async Task Response_over_the_send_limit_is_resource_exhausted()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions { Grpc = options => options.MaxSendMessageSize = 100 });
        host.Script.Bytes = (_, _) => Task.FromResult(new byte[101]);

        var result = await host.CallAsync("/cauchy.test.Tests/Bytes", GrpcFrames.Frame([1]));

        Assert.Equal(StatusCode.ResourceExhausted, result.Status);
        Assert.Equal("Sending message exceeds the maximum configured message size.", result.Message);
        Assert.Empty(result.Frames);
    }

    [Fact]
    public async Task Handler_returning_null_is_internal()
    {
        await using var host = await GrpcTestHost.StartAsync();
        host.Script.Unary = (_, _) => Task.FromResult<string>(null!);

        var result = await host.CallAsync(UnaryPath, GrpcFrames.Frame("x"));

        Assert.Equal(StatusCode.Internal, result.Status);
        Assert.Equal("No message returned from method.", result.Message);
    }

    [Fact]
    public async Task Method_the_service_does_not_override_answers_the_generated_unimplemented_status()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var result = await host.CallAsync("/cauchy.test.Tests/NotOverridden", GrpcFrames.Frame("x"));

        Assert.Equal(StatusCode.Unimplemented, result.Status);
        Assert.Equal("NotOverridden is not implemented.", result.Message);
    }

    [Fact]
    public async Task Many_concurrent_unary_calls_on_one_connection_all_succeed()
    {
        await using var host = await GrpcTestHost.StartAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => host.CallAsync(UnaryPath, GrpcFrames.Frame("n" + i))));

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(StatusCode.OK, results[i].Status);
            Assert.Equal(["echo:n" + i], results[i].Texts);
        }
    }
}
