using System.Net;
using System.Net.Sockets;
using System.Text;
using Cauchy.Platform.Tests.Infrastructure;
using Cauchy.Platform.Tests.Node;
using Cauchy.Platform.Tests.Platform;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Reflection.V1;
using Xunit;

namespace Cauchy.Platform.Tests.Robustness;

/// <summary>
/// A real service process (datasets, started by up.sh) against clients that are not gRPC, or that vanish in the
/// middle of a call: each gets a clean error or is forgotten, the service keeps answering health checks, and its
/// log shows no unhandled exception.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class DatasetsRobustnessTests(PlatformFixture fixture)
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);
    private readonly PlatformService _datasets = PlatformService.Named("datasets");

    private string Log => fixture.Platform.LogFile(_datasets);

    private int GrpcPort => fixture.Platform.GrpcPort(_datasets);

    [Fact]
    public async Task Http11RequestToTheGrpcPort_GetsACleanErrorAndTheServiceKeepsServing()
    {
        var logStart = ServiceLog.Length(Log);
        using var socket = await ConnectAsync();
        var request = $"GET / HTTP/1.1\r\nHost: 127.0.0.1:{GrpcPort}\r\nConnection: close\r\n\r\n";

        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        var (answer, closed) = await ReadUntilClosedAsync(socket);

        Assert.True(closed, $"the server kept an HTTP/1.1 connection to its gRPC port open for {ReadTimeout.TotalSeconds} s after answering {Describe(answer)}");
        var text = Encoding.ASCII.GetString(answer);
        List<Http2Frame> goAways = text.StartsWith("HTTP/", StringComparison.Ordinal)
            ? []
            : Http2Wire.ReadFrames(answer).Where(f => f.Type == Http2Frame.GoAway).ToList();
        Assert.True(
            text.StartsWith("HTTP/1.1 4", StringComparison.Ordinal) || goAways.Any(f => f.GoAwayErrorCode != 0),
            $"an HTTP/1.1 request must get an HTTP/1.1 4xx answer or an HTTP/2 GOAWAY with an error code; got {Describe(answer)}");
        await AssertServiceUnharmedAsync(logStart);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/cauchy.v1.Datasets/ListDatasets")]
    public async Task Http2GetToTheGrpcPort_GetsACleanErrorAndTheServiceKeepsServing(string path)
    {
        var logStart = ServiceLog.Length(Log);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.Platform.GrpcUri(_datasets), path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        var grpcStatus = GrpcStatusOf(response);
        Assert.True(
            (int)response.StatusCode is >= 400 and < 500 || (response.StatusCode == HttpStatusCode.OK && grpcStatus is not null && grpcStatus != "0"),
            $"GET {path} over HTTP/2 must get a 4xx or a gRPC error status, got {(int)response.StatusCode} grpc-status={grpcStatus ?? "-"} body \"{body}\"");
        await AssertServiceUnharmedAsync(logStart);
    }

    [Fact]
    public async Task ClientThatDisposesItsChannelMidClientStream_DoesNotHurtTheService()
    {
        var logStart = ServiceLog.Length(Log);
        var channel = fixture.Platform.Channel(_datasets);
        var call = new Cauchy.V1.Datasets.DatasetsClient(channel).ImportDatasetVersion(new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)));
        try
        {
            await call.RequestStream.WriteAsync(new Cauchy.V1.ImportDatasetVersionRequest
            {
                Header = new Cauchy.V1.ImportDatasetVersionHeader { DatasetId = "robustness", Upload = new Cauchy.V1.ArchiveUpload { SizeBytes = 1 << 20 } },
            });
            await call.RequestStream.WriteAsync(new Cauchy.V1.ImportDatasetVersionRequest { Chunk = ByteString.CopyFrom(new byte[64 * 1024]) });
        }
        catch (RpcException)
        {
            // The server may already have ended the call (UNIMPLEMENTED today) before reading the stream.
        }

        // The client vanishes: no CompleteAsync, no waiting for the answer.
        channel.Dispose();
        var outcome = await Task.WhenAny(call.ResponseAsync, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.True(outcome == call.ResponseAsync, "the abandoned call did not end within 10 s of disposing its channel");
        Assert.False(call.ResponseAsync.IsCompletedSuccessfully, "an abandoned ImportDatasetVersion must not end in success");
        _ = call.ResponseAsync.Exception;
        call.Dispose();

        await AssertServiceUnharmedAsync(logStart);
    }

    [Fact]
    public async Task ClientThatDisposesItsChannelMidReflectionStream_DoesNotHurtTheService()
    {
        // ImportDatasetVersion answers UNIMPLEMENTED before it reads anything; server reflection does read its request
        // stream, so here the client vanishes while the server is inside a streaming call.
        var logStart = ServiceLog.Length(Log);
        var channel = fixture.Platform.Channel(_datasets);
        var call = new ServerReflection.ServerReflectionClient(channel)
            .ServerReflectionInfo(new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)));

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), "reflection did not answer list_services");
        Assert.Contains(call.ResponseStream.Current.ListServicesResponse.Service, s => s.Name == _datasets.GrpcService);
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = _datasets.GrpcService });
        channel.Dispose();
        call.Dispose();

        await AssertServiceUnharmedAsync(logStart);
    }

    [Theory]
    [InlineData("/cauchy.v1.Datasets/ImportDatasetVersion")]
    [InlineData("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo")]
    public async Task ClientThatResetsItsConnectionMidMessage_DoesNotHurtTheService(string path)
    {
        var logStart = ServiceLog.Length(Log);
        using var socket = await ConnectAsync();
        var headers = Http2Wire.HeaderBlock(
            (":method", "POST"),
            (":scheme", "http"),
            (":path", path),
            (":authority", $"127.0.0.1:{GrpcPort}"),
            ("content-type", "application/grpc"),
            ("te", "trailers"),
            // With a valid credential, so that the service reads the message instead of refusing the call at once.
            ("authorization", "Bearer " + fixture.Platform.AdminToken));
        // A gRPC message that announces 1 MiB and brings 1,000 bytes, then the TCP connection is reset.
        var message = new byte[5 + 1000];
        message[1] = 0x10;

        await socket.SendAsync(Http2Wire.Preface);
        await socket.SendAsync(Http2Wire.Frame(Http2Frame.Settings, 0, 0, []));
        await socket.SendAsync(Http2Wire.Frame(Http2Frame.Headers, Http2Wire.EndHeaders, 1, headers));
        await socket.SendAsync(Http2Wire.Frame(Http2Frame.Data, 0, 1, message));
        await Task.Delay(200);
        socket.LingerState = new LingerOption(enable: true, seconds: 0);
        socket.Close();

        await AssertServiceUnharmedAsync(logStart);
    }

    private async Task AssertServiceUnharmedAsync(long logStart)
    {
        var health = (await NodeProbe.CheckHealthAsync(fixture.Platform.GrpcAddress(_datasets), ""))[""];
        Assert.True(health is { Code: 0, Status: "SERVING" }, $"datasets after the misbehaving client: {health}");
        Assert.True(ProcFs.IsRunning(fixture.Pids[_datasets]), "the datasets process is gone");

        // Give the logger a moment to write what the misbehaving client caused.
        await Task.Delay(500);
        var trace = ServiceLog.ExceptionTraceLines(ServiceLog.ReadFrom(Log, logStart));
        Assert.True(trace.Count == 0, $"{Log} shows an unhandled exception after the misbehaving client:\n{string.Join('\n', trace.Take(40))}");
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, GrpcPort));
        return socket;
    }

    /// <summary>Everything the server sends until it closes the connection (true) or goes quiet for the read timeout (false).</summary>
    private static async Task<(byte[] Answer, bool Closed)> ReadUntilClosedAsync(Socket socket)
    {
        var answer = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            using var timeout = new CancellationTokenSource(ReadTimeout);
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return (answer.ToArray(), false);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                return (answer.ToArray(), true);
            }

            if (read == 0)
            {
                return (answer.ToArray(), true);
            }

            answer.Write(buffer, 0, read);
        }
    }

    private static string Describe(byte[] answer)
    {
        if (answer.Length == 0)
        {
            return "nothing";
        }

        var text = Encoding.ASCII.GetString(answer);
        if (text.StartsWith("HTTP/", StringComparison.Ordinal))
        {
            return $"\"{text[..Math.Min(text.Length, 300)]}\"";
        }

        var frames = Http2Wire.ReadFrames(answer).Select(f => $"type {f.Type} flags {f.Flags} stream {f.StreamId} ({f.Payload.Length} bytes)");
        return $"{answer.Length} bytes: HTTP/2 frames [{string.Join("; ", frames)}] / hex {Convert.ToHexString(answer.AsSpan(0, Math.Min(answer.Length, 64)))}";
    }

    private static string? GrpcStatusOf(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("grpc-status", out var values) || response.TrailingHeaders.TryGetValues("grpc-status", out values))
        {
            return values.FirstOrDefault();
        }

        return null;
    }
}
