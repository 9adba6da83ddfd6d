using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Xunit;
using static Cauchy.Grpc.Tests.Client.Infrastructure.GrpcWire;

namespace Cauchy.Grpc.Tests.Client.Infrastructure;

/// <summary>
/// One raw server per test class with every endpoint the client tests use, under /test.Svc/. Handlers find the
/// test's <see cref="TestProbe"/> through the x-test-id request header.
/// </summary>
public sealed class RawServerFixture : IAsyncLifetime
{
    public const string ProbeHeader = "x-test-id";

    private readonly ConcurrentDictionary<string, TestProbe> _probes = new();
    private RawGrpcServer? _server;

    public string Address => _server?.Address ?? throw new InvalidOperationException("The server has not started.");

    public GrpcChannel CreateChannel(GrpcChannelOptions? options = null) => GrpcChannel.ForAddress(Address, options);

    /// <summary>A fresh probe, and call options whose headers name it.</summary>
    public CallOptions NewProbe(out TestProbe probe, Metadata? headers = null, DateTime? deadline = null, CancellationToken cancellationToken = default)
    {
        var id = Guid.NewGuid().ToString("N");
        probe = _probes.GetOrAdd(id, _ => new TestProbe());
        headers ??= [];
        headers.Add(ProbeHeader, id);
        return new CallOptions(headers, deadline, cancellationToken);
    }

    public async Task InitializeAsync() => _server = await RawGrpcServer.StartAsync(Map);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private TestProbe Probe(HttpContext context) =>
        _probes.GetOrAdd(context.Request.Headers[ProbeHeader].ToString(), _ => new TestProbe());

    /// <summary>Waits until the client resets the stream, and tells the probe.</summary>
    private static async Task WaitForAbortAsync(HttpContext context, TestProbe probe)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            probe.Aborted.TrySetResult();
        }
    }

    private void Map(WebApplication app)
    {
        app.MapPost("/test.Svc/Echo", async context =>
        {
            var text = await ReadTextAsync(context.Request);
            Probe(context).CountCall();
            StartResponse(context);
            await WriteTextAsync(context, text);
            Finish(context);
        });

        app.MapPost("/test.Svc/EchoBytes", async context =>
        {
            var message = await ReadMessageAsync(context.Request.Body) ?? throw new InvalidDataException("No request message.");
            StartResponse(context);
            await WriteMessageAsync(context, message.Payload);
            Finish(context);
        });

        app.MapPost("/test.Svc/Headers", async context =>
        {
            await ReadAllMessagesAsync(context.Request.Body);
            StartResponse(context);
            var lines = context.Request.Headers.Select(h => $"{h.Key.ToLowerInvariant()}={h.Value}");
            await WriteTextAsync(context, string.Join("\n", lines));
            Finish(context);
        });

        app.MapPost("/test.Svc/ServerStream", async context =>
        {
            var count = int.Parse(await ReadTextAsync(context.Request), CultureInfo.InvariantCulture);
            StartResponse(context);
            for (var i = 0; i < count; i++)
            {
                await WriteTextAsync(context, "m" + i.ToString(CultureInfo.InvariantCulture));
            }
            Finish(context);
        });

        // Request "count:size": count messages of size bytes, byte j of message i being (i + j) % 251.
        app.MapPost("/test.Svc/ServerStreamBytes", async context =>
        {
            var spec = (await ReadTextAsync(context.Request)).Split(':');
            var (count, size) = (int.Parse(spec[0], CultureInfo.InvariantCulture), int.Parse(spec[1], CultureInfo.InvariantCulture));
            StartResponse(context);
            for (var i = 0; i < count; i++)
            {
                await WriteMessageAsync(context, Pattern(i, size));
            }
            Finish(context);
        });

        // Reads every request message; answers "count=N;flags=0,1;texts=a,b;encoding=gzip" (compressed messages gunzipped).
        app.MapPost("/test.Svc/Inspect", async context =>
        {
            var messages = await ReadAllMessagesAsync(context.Request.Body);
            StartResponse(context);
            var flags = string.Join(",", messages.Select(m => m.Compressed ? "1" : "0"));
            var texts = string.Join(",", messages.Select(m => Encoding.UTF8.GetString(m.Compressed ? Gunzip(m.Payload) : m.Payload)));
            await WriteTextAsync(context, $"count={messages.Count};flags={flags};texts={texts};encoding={context.Request.Headers["grpc-encoding"]}");
            Finish(context);
        });

        // Echoes each request message as soon as it arrives.
        app.MapPost("/test.Svc/Duplex", async context =>
        {
            StartResponse(context);
            await context.Response.Body.FlushAsync();
            while (await ReadMessageAsync(context.Request.Body) is { } message)
            {
                await WriteMessageAsync(context, message.Payload);
            }
            Finish(context);
        });

        // Answers the first request message and ends the call with OK, leaving the rest of the request stream unread.
        app.MapPost("/test.Svc/ReplyOnceAndFinish", async context =>
        {
            var first = await ReadMessageAsync(context.Request.Body) ?? throw new InvalidDataException("No request message.");
            StartResponse(context);
            await WriteMessageAsync(context, first.Payload);
            Finish(context);
            Probe(context).Release.TrySetResult();
        });

        app.MapPost("/test.Svc/Hang", async context =>
        {
            var probe = Probe(context);
            probe.CountCall();
            if (context.Request.Headers.ContainsKey("x-send-headers"))
            {
                StartResponse(context);
                await context.Response.Body.FlushAsync();
            }
            await WaitForAbortAsync(context, probe);
        });

        app.MapPost("/test.Svc/OneThenHang", async context =>
        {
            var probe = Probe(context);
            StartResponse(context);
            await WriteTextAsync(context, "first");
            await WaitForAbortAsync(context, probe);
        });

        app.MapPost("/test.Svc/HeadersThenWait", async context =>
        {
            var probe = Probe(context);
            StartResponse(context);
            context.Response.Headers["x-h"] = "v";
            await context.Response.Body.FlushAsync();
            await probe.Release.Task;
            await WriteTextAsync(context, "late");
            Finish(context);
        });

        // Does not read the request until released, so the client's writes back up against flow control.
        app.MapPost("/test.Svc/SlowReader", async context =>
        {
            await Probe(context).Release.Task;
            var messages = await ReadAllMessagesAsync(context.Request.Body);
            StartResponse(context);
            await WriteTextAsync(context, string.Join(",", messages.Select(m => m.Payload.Length.ToString(CultureInfo.InvariantCulture))));
            Finish(context);
        });

        app.MapPost("/test.Svc/TrailersOnly", context =>
        {
            StartResponse(context);
            context.Response.Headers["grpc-status"] = "7";
            context.Response.Headers["grpc-message"] = "nope";
            context.Response.Headers["x-trailer"] = "t";
            return Task.CompletedTask;
        });

        app.MapPost("/test.Svc/TrailersOnlyOk", context =>
        {
            StartResponse(context);
            context.Response.Headers["grpc-status"] = "0";
            return Task.CompletedTask;
        });

        // Ends the call at once with FAILED_PRECONDITION, without reading the request stream.
        app.MapPost("/test.Svc/FailFast", async context =>
        {
            StartResponse(context);
            await context.Response.Body.FlushAsync();
            Finish(context, 9, "no thanks");
        });

        app.MapPost("/test.Svc/ErrorWithTrailers", async context =>
        {
            await ReadAllMessagesAsync(context.Request.Body);
            StartResponse(context);
            await context.Response.Body.FlushAsync();
            context.Response.AppendTrailer("x-detail", "d");
            Finish(context, 5, "not here");
        });

        app.MapPost("/test.Svc/BinaryTrailers", async context =>
        {
            await ReadAllMessagesAsync(context.Request.Body);
            StartResponse(context);
            await WriteTextAsync(context, "ok");
            context.Response.AppendTrailer("x-padded-bin", "AQIDBA==");
            context.Response.AppendTrailer("x-unpadded-bin", "AQIDBA");
            context.Response.AppendTrailer("x-text", "hello");
            Finish(context);
        });

        app.MapPost("/test.Svc/PercentMessage", async context =>
        {
            await ReadAllMessagesAsync(context.Request.Body);
            StartResponse(context);
            await context.Response.Body.FlushAsync();
            Finish(context, 3, "caf%C3%A9 %E2%9C%93 100%25 sure");
        });

        app.MapPost("/test.Svc/MissingStatus", async context =>
        {
            await ReadAllMessagesAsync(context.Request.Body);
            StartResponse(context);
            await WriteTextAsync(context, "ok");
        });

        app.MapPost("/test.Svc/WrongContentType", async context =>
        {
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html>not grpc</html>");
        });

        app.MapPost("/test.Svc/Http/{code:int}", async context =>
        {
            context.Response.StatusCode = int.Parse((string)context.Request.RouteValues["code"]!, CultureInfo.InvariantCulture);
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("proxy says no");
        });

        app.MapPost("/test.Svc/ResetBeforeHeaders/{code:int}", context =>
        {
            context.Features.Get<IHttpResetFeature>()!.Reset(int.Parse((string)context.Request.RouteValues["code"]!, CultureInfo.InvariantCulture));
            return Task.CompletedTask;
        });

        app.MapPost("/test.Svc/ResetAfterHeaders/{code:int}", async context =>
        {
            StartResponse(context);
            await context.Response.Body.FlushAsync();
            context.Features.Get<IHttpResetFeature>()!.Reset(int.Parse((string)context.Request.RouteValues["code"]!, CultureInfo.InvariantCulture));
        });

        app.MapPost("/test.Svc/NoMessage", async context =>
        {
            await ReadAllMessagesAsync(context.Request.Body);
            StartResponse(context);
            await context.Response.Body.FlushAsync();
            Finish(context);
        });

        app.MapPost("/test.Svc/TwoMessages", async context =>
        {
            await ReadAllMessagesAsync(context.Request.Body);
            StartResponse(context);
            await WriteTextAsync(context, "one");
            await WriteTextAsync(context, "two");
            Finish(context);
        });

        app.MapPost("/test.Svc/ServerDeadline", async context =>
        {
            await ReadAllMessagesAsync(context.Request.Body);
            StartResponse(context);
            await context.Response.Body.FlushAsync();
            Finish(context, 4, "Deadline Exceeded");
        });

        app.MapPost("/test.Svc/GzipResponse", async context =>
        {
            var text = await ReadTextAsync(context.Request);
            StartResponse(context);
            context.Response.Headers["grpc-encoding"] = "gzip";
            await WriteMessageAsync(context, Gzip(Encoding.UTF8.GetBytes(text + text)), compressed: true);
            Finish(context);
        });

        app.MapPost("/test.Svc/UnsupportedEncoding", async context =>
        {
            await ReadAllMessagesAsync(context.Request.Body);
            StartResponse(context);
            context.Response.Headers["grpc-encoding"] = "br";
            await WriteMessageAsync(context, [1, 2, 3, 4], compressed: true);
            Finish(context);
        });

        app.MapPost("/test.Svc/CompressedWithoutEncoding", async context =>
        {
            await ReadAllMessagesAsync(context.Request.Body);
            StartResponse(context);
            await WriteMessageAsync(context, Gzip([1, 2, 3]), compressed: true);
            Finish(context);
        });

        // 1 MiB of zeros, gzipped to about 1 KiB.
        app.MapPost("/test.Svc/GzipBomb", async context =>
        {
            await ReadAllMessagesAsync(context.Request.Body);
            StartResponse(context);
            context.Response.Headers["grpc-encoding"] = "gzip";
            await WriteMessageAsync(context, Gzip(new byte[1024 * 1024]), compressed: true);
            Finish(context);
        });

        // A frame header announcing 5 MiB (over the default 4 MiB limit), then nothing until the client resets.
        app.MapPost("/test.Svc/HugePrefix", async context =>
        {
            var probe = Probe(context);
            StartResponse(context);
            var header = Frame([]);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), 5 * 1024 * 1024);
            await context.Response.Body.WriteAsync(header);
            await context.Response.Body.FlushAsync();
            await WaitForAbortAsync(context, probe);
        });

        // Records the HTTP/2 connection, waits for the test, answers with the connection's id.
        app.MapPost("/test.Svc/Connection", async context =>
        {
            var probe = Probe(context);
            probe.Seen.Enqueue(context.Connection.Id);
            await probe.Release.Task;
            StartResponse(context);
            await WriteTextAsync(context, context.Connection.Id);
            Finish(context);
        });

        app.MapPost("/test.Svc/Protocol", async context =>
        {
            await ReadAllMessagesAsync(context.Request.Body);
            StartResponse(context);
            await WriteTextAsync(context, $"{context.Request.Protocol};{context.Request.Scheme}");
            Finish(context);
        });
    }

    public static byte[] Pattern(int index, int size)
    {
        var bytes = new byte[size];
        for (var j = 0; j < size; j++)
        {
            bytes[j] = (byte)((index + j) % 251);
        }
        return bytes;
    }
}
