using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Cauchy.Interop.V1;
using Google.Protobuf;

namespace Cauchy.Grpc.Tests.Interop.Infrastructure;

/// <summary>
/// A gRPC client built by hand on HttpClient (HTTP/2 prior knowledge), independent of our
/// GrpcChannel: it sends exactly the bytes and headers a test asks for, well-formed or not, and
/// returns what came back without interpreting it.
/// </summary>
internal sealed class RawGrpcClient : IDisposable
{
    public const string UnaryPath = "/cauchy.interop.v1.Echo/Unary";
    public const string ServerStreamPath = "/cauchy.interop.v1.Echo/ServerStream";
    public const string DuplexPath = "/cauchy.interop.v1.Echo/Duplex";

    private readonly HttpClient _http;

    public RawGrpcClient(int port)
    {
        _http = new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Timeout = TimeSpan.FromSeconds(30),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    /// <summary>A request with Version 2.0 exact (hand-built requests do not get the client's defaults).</summary>
    public static HttpRequestMessage CreateRequest(HttpMethod method, string path, HttpContent? content = null, string? contentType = "application/grpc")
    {
        var request = new HttpRequestMessage(method, path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        if (content is not null && contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        request.Headers.TryAddWithoutValidation("te", "trailers");
        return request;
    }

    public Task<RawResponse> PostAsync(string path, byte[] body, string? contentType = "application/grpc", params (string Name, string Value)[] headers)
    {
        var request = CreateRequest(HttpMethod.Post, path, new ByteArrayContent(body), contentType);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return SendAsync(request);
    }

    public async Task<RawResponse> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        using (request)
        using (var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken))
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return new RawResponse((int)response.StatusCode, Collect(response.Headers, response.Content.Headers), Collect(response.TrailingHeaders), body);
        }
    }

    /// <summary>Sends a request and returns as soon as the response headers are in, to read the body as it streams.</summary>
    public Task<HttpResponseMessage> SendStreamingAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    /// <summary>Reads length-prefixed messages from a streaming body until <paramref name="count"/> arrived, the body ended, or the time is up.</summary>
    public static async Task<List<RawMessage>> ReadMessagesAsync(Stream body, int count, TimeSpan timeout)
    {
        using var expiry = new CancellationTokenSource(timeout);
        var messages = new List<RawMessage>();
        var header = new byte[5];
        try
        {
            while (messages.Count < count)
            {
                await body.ReadExactlyAsync(header, expiry.Token);
                var message = new byte[BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1))];
                await body.ReadExactlyAsync(message, expiry.Token);
                messages.Add(new RawMessage(header[0], message));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or EndOfStreamException)
        {
        }
        return messages;
    }

    /// <summary>Sends a well-formed unary call and returns the decoded response, or throws with what came back.</summary>
    public async Task<EchoResponse> UnaryAsync(EchoRequest request)
    {
        var response = await PostAsync(UnaryPath, Frame(request.ToByteArray()));
        if (response.HttpStatus != 200 || response.GrpcStatus != "0")
        {
            throw new InvalidOperationException($"A well-formed unary call failed: {response}");
        }
        var messages = response.Messages();
        if (messages.Count != 1)
        {
            throw new InvalidOperationException($"A unary call answered {messages.Count} messages: {response}");
        }
        return EchoResponse.Parser.ParseFrom(messages[0].Decompressed());
    }

    public void Dispose() => _http.Dispose();

    /// <summary>A length-prefixed message: the compressed flag, a 4-byte big-endian length, the bytes.</summary>
    public static byte[] Frame(byte[] message, byte compressedFlag = 0, int? declaredLength = null)
    {
        var frame = new byte[5 + message.Length];
        frame[0] = compressedFlag;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)(declaredLength ?? message.Length));
        message.CopyTo(frame, 5);
        return frame;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    private static Dictionary<string, string> Collect(params HttpHeaders[] all)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var source in all)
        {
            foreach (var header in source.NonValidated)
            {
                var value = string.Join(",", header.Value);
                headers[header.Key] = headers.TryGetValue(header.Key, out var existing) ? existing + "," + value : value;
            }
        }
        return headers;
    }
}

/// <summary>What came back for a raw request: HTTP status, headers, trailers and the body bytes.</summary>
internal sealed record RawResponse(int HttpStatus, Dictionary<string, string> Headers, Dictionary<string, string> Trailers, byte[] Body)
{
    /// <summary>grpc-status from the trailers, or from the headers of a Trailers-Only response.</summary>
    public string? GrpcStatus => Trailers.TryGetValue("grpc-status", out var status) ? status
        : Headers.TryGetValue("grpc-status", out status) ? status : null;

    /// <summary>grpc-message as it travelled (still percent-encoded).</summary>
    public string? RawGrpcMessage => Trailers.TryGetValue("grpc-message", out var message) ? message
        : Headers.TryGetValue("grpc-message", out message) ? message : null;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The body split into length-prefixed messages; throws when the framing is broken.</summary>
    public IReadOnlyList<RawMessage> Messages()
    {
        var messages = new List<RawMessage>();
        var offset = 0;
        while (offset < Body.Length)
        {
            if (Body.Length - offset < 5)
            {
                throw new InvalidOperationException($"The response body ends inside a message prefix at byte {offset} of {Body.Length}.");
            }
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(Body.AsSpan(offset + 1));
            if (Body.Length - offset - 5 < length)
            {
                throw new InvalidOperationException($"The response body ends inside a {length}-byte message at byte {offset}.");
            }
            messages.Add(new RawMessage(Body[offset], Body.AsSpan(offset + 5, length).ToArray()));
            offset += 5 + length;
        }
        return messages;
    }

    public override string ToString() =>
        $"HTTP {HttpStatus}, grpc-status {GrpcStatus ?? "none"}, grpc-message {RawGrpcMessage ?? "none"}, " +
        $"headers [{string.Join("; ", Headers.Select(h => h.Key + ": " + h.Value))}], " +
        $"trailers [{string.Join("; ", Trailers.Select(h => h.Key + ": " + h.Value))}], body {Body.Length} bytes";
}

internal sealed record RawMessage(byte CompressedFlag, byte[] Bytes)
{
    public byte[] Decompressed()
    {
        if (CompressedFlag == 0)
        {
            return Bytes;
        }
        using var input = new GZipStream(new MemoryStream(Bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
