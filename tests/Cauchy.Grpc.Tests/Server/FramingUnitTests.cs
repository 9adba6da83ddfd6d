using System.Buffers;
using System.IO.Compression;
using System.IO.Pipelines;
using Cauchy.Grpc.AspNetCore.Internal;
using Cauchy.Grpc.Tests.Server.Infrastructure;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Xunit;

namespace Cauchy.Grpc.Tests.Server;

/// <summary>The framing pieces on their own, with the edge cases that are awkward to provoke over a socket.</summary>
public sealed class FramingUnitTests
{
    [Fact]
    public void Parser_takes_whole_messages_and_leaves_the_rest()
    {
        var bytes = GrpcFrames.Concat(GrpcFrames.Frame("ab"), GrpcFrames.Frame("c")[..4]);
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.True(RequestFrameParser.TryParse(ref buffer, 100, out var payload, out var compressed));
        Assert.Equal("ab"u8.ToArray(), payload.ToArray());
        Assert.False(compressed);
        Assert.Equal(4, buffer.Length);
        Assert.False(RequestFrameParser.TryParse(ref buffer, 100, out _, out _));
        Assert.Equal(4, buffer.Length);
    }

    [Fact]
    public void Parser_reads_a_header_split_across_segments()
    {
        var frame = GrpcFrames.Frame("split");
        var buffer = Segmented(frame[..2], frame[2..7], frame[7..]);

        Assert.True(RequestFrameParser.TryParse(ref buffer, 100, out var payload, out _));
        Assert.Equal("split"u8.ToArray(), payload.ToArray());
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Parser_rejects_an_oversized_length_from_the_header_alone()
    {
        var header = GrpcFrames.Frame(new byte[101])[..5];
        var buffer = new ReadOnlySequence<byte>(header);

        var error = Assert.Throws<RpcException>(() => RequestFrameParser.TryParse(ref buffer, 100, out _, out _));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public void Parser_rejects_lengths_beyond_int_max_even_without_a_limit()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0, 0xFF, 0xFF, 0xFF, 0xFF });

        var error = Assert.Throws<RpcException>(() => RequestFrameParser.TryParse(ref buffer, int.MaxValue, out _, out _));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public void Serializer_with_announced_length_writes_in_place()
    {
        var pipe = new Pipe();
        var context = new ResponseSerializationContext(pipe.Writer, null, CompressionLevel.Fastest);

        context.Serialize(new byte[] { 1, 2, 3 }, TestServiceDefinition.BytesMarshaller.ContextualSerializer, compress: false);

        Assert.False(context.FrameOpen);
        Assert.Equal(GrpcFrames.Frame([1, 2, 3]), Flush(pipe));
    }

    [Fact]
    public void Serializer_with_whole_payload_and_reuse_across_messages()
    {
        var pipe = new Pipe();
        var context = new ResponseSerializationContext(pipe.Writer, null, CompressionLevel.Fastest);

        context.Serialize("one", TestServiceDefinition.StringMarshaller.ContextualSerializer, compress: false);
        context.Serialize(new byte[] { 9 }, TestServiceDefinition.BytesMarshaller.ContextualSerializer, compress: false);

        Assert.Equal(GrpcFrames.Concat(GrpcFrames.Frame("one"), GrpcFrames.Frame([9])), Flush(pipe));
    }

    [Fact]
    public void Serializer_without_announced_length_buffers_then_frames()
    {
        var pipe = new Pipe();
        var context = new ResponseSerializationContext(pipe.Writer, null, CompressionLevel.Fastest);
        Action<string, SerializationContext> unannounced = (value, serializationContext) =>
        {
            var writer = serializationContext.GetBufferWriter();
            writer.Write(System.Text.Encoding.UTF8.GetBytes(value));
            serializationContext.Complete();
        };

        context.Serialize("abc", unannounced, compress: false);

        Assert.Equal(GrpcFrames.Frame("abc"), Flush(pipe));
    }

    [Fact]
    public void Serializer_compresses_when_asked_even_with_an_announced_length()
    {
        var pipe = new Pipe();
        var context = new ResponseSerializationContext(pipe.Writer, null, CompressionLevel.Fastest);
        var payload = new byte[1000];

        context.Serialize(payload, TestServiceDefinition.BytesMarshaller.ContextualSerializer, compress: true);

        var frame = GrpcFrames.Parse(Flush(pipe)).Single();
        Assert.Equal(1, frame.Flag);
        Assert.Equal(payload, GrpcFrames.Gunzip(frame.Payload));
    }

    [Fact]
    public void Serializer_checks_the_send_limit_before_writing_anything()
    {
        var pipe = new Pipe();
        var context = new ResponseSerializationContext(pipe.Writer, 2, CompressionLevel.Fastest);

        var direct = Assert.Throws<RpcException>(() => context.Serialize(new byte[3], TestServiceDefinition.BytesMarshaller.ContextualSerializer, compress: false));
        var whole = Assert.Throws<RpcException>(() => context.Serialize("abc", TestServiceDefinition.StringMarshaller.ContextualSerializer, compress: false));

        Assert.Equal(StatusCode.ResourceExhausted, direct.StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, whole.StatusCode);
        Assert.False(context.FrameOpen);
        Assert.Empty(Flush(pipe));
    }

    [Fact]
    public void Serializer_that_under_writes_leaves_the_frame_open()
    {
        var pipe = new Pipe();
        var context = new ResponseSerializationContext(pipe.Writer, null, CompressionLevel.Fastest);

        Assert.Throws<InvalidOperationException>(() => context.Serialize("ab", LiarService.LyingMarshaller.ContextualSerializer, compress: false));

        Assert.True(context.FrameOpen);
    }

    [Fact]
    public void Serializer_that_never_completes_is_an_error()
    {
        var pipe = new Pipe();
        var context = new ResponseSerializationContext(pipe.Writer, null, CompressionLevel.Fastest);

        Assert.Throws<InvalidOperationException>(() => context.Serialize("x", (_, _) => { }, compress: false));
    }

    [Fact]
    public void Service_options_override_only_what_they_set_and_append_interceptors()
    {
        var global = new GrpcServiceOptions { MaxSendMessageSize = 10, EnableDetailedErrors = true, ResponseCompressionAlgorithm = "gzip" };
        global.Interceptors.Add(typeof(InterceptorTests.CountingInterceptor));
        var service = new GrpcServiceOptions<ScriptedTestService> { MaxReceiveMessageSize = null, EnableDetailedErrors = false };
        service.Interceptors.Add(typeof(InterceptorTests.RecordingInterceptor), "x");

        var merged = GrpcMethodOptions.Create(global, service);
        var globalOnly = GrpcMethodOptions.Create(global, new GrpcServiceOptions<ScriptedTestService>());

        Assert.Equal(int.MaxValue, merged.MaxReceiveMessageSize);
        Assert.Equal(10, merged.MaxSendMessageSize);
        Assert.False(merged.EnableDetailedErrors);
        Assert.Equal("gzip", merged.ResponseCompressionAlgorithm);
        Assert.Equal([typeof(InterceptorTests.CountingInterceptor), typeof(InterceptorTests.RecordingInterceptor)], merged.Interceptors.Select(i => i.Type));
        Assert.Equal(4 * 1024 * 1024, globalOnly.MaxReceiveMessageSize);
        Assert.True(globalOnly.EnableDetailedErrors);
    }

    private static byte[] Flush(Pipe pipe)
    {
        pipe.Writer.Complete();
        pipe.Reader.TryRead(out var result);
        return result.Buffer.ToArray();
    }

    private static ReadOnlySequence<byte> Segmented(params byte[][] parts)
    {
        var first = new Segment(parts[0], 0);
        var last = first;
        foreach (var part in parts.Skip(1))
        {
            last = last.Append(part);
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data, long runningIndex)
        {
            Memory = data;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] data)
        {
            var next = new Segment(data, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
