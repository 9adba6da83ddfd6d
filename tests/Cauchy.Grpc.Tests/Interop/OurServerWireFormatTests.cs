using System.Globalization;
using System.Text;
using Cauchy.Grpc.Tests.Interop.Infrastructure;
using Cauchy.Interop.V1;
using Google.Protobuf;
using Xunit;

namespace Cauchy.Grpc.Tests.Interop;

/// <summary>
/// Our server's bytes on the wire, read with a hand-built HTTP/2 client: what no gRPC client
/// library would show a test (compressed flags, the percent-encoded grpc-message, base64 forms of
/// binary metadata, every grpc-timeout unit, including those grpc-js never sends).
/// </summary>
[Collection(OurServerRobustnessCollection.Name)]
public sealed class OurServerWireFormatTests(InteropFixture fixture)
{
    private const string OurServer = "our server";
    private const string GrpcJsServer = "grpc-js server";

    private int PortOf(string server) => server == OurServer ? fixture.OurServer.Port : fixture.NodeServer.Port;

    [Fact]
    public async Task Server_configured_for_gzip_compresses_responses_for_a_client_that_accepts_gzip()
    {
        using var raw = new RawGrpcClient(fixture.OurGzipServer.Port);
        var request = new EchoRequest { Message = "squeeze", ResponseSize = 10_000, ResponseCount = 3 };

        var response = await raw.PostAsync(RawGrpcClient.ServerStreamPath, RawGrpcClient.Frame(request.ToByteArray()), "application/grpc",
            ("grpc-accept-encoding", "identity,gzip"));

        Assert.True(response.GrpcStatus == "0", response.ToString());
        Assert.Equal("gzip", response.Header("grpc-encoding"));
        var messages = response.Messages();
        Assert.Equal(3, messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            Assert.Equal(1, messages[i].CompressedFlag);
            var decoded = EchoResponse.Parser.ParseFrom(messages[i].Decompressed());
            Assert.Equal(TestData.PatternString(10_000, i), decoded.Payload);
        }
    }

    [Fact]
    public async Task Server_configured_for_gzip_does_not_compress_for_a_client_that_does_not_accept_gzip()
    {
        using var raw = new RawGrpcClient(fixture.OurGzipServer.Port);

        var response = await raw.PostAsync(RawGrpcClient.UnaryPath, RawGrpcClient.Frame(new EchoRequest { Message = "plain" }.ToByteArray()), "application/grpc",
            ("grpc-accept-encoding", "identity"));

        Assert.True(response.GrpcStatus == "0", response.ToString());
        var message = Assert.Single(response.Messages());
        Assert.Equal(0, message.CompressedFlag);
        Assert.Equal("plain", EchoResponse.Parser.ParseFrom(message.Bytes).Message);
    }

    [Fact]
    public async Task Gzip_compressed_request_is_decompressed()
    {
        using var raw = new RawGrpcClient(fixture.OurServer.Port);
        var payload = TestData.PatternString(50_000, 3);
        var compressed = RawGrpcClient.Gzip(new EchoRequest { Message = "zipped", Payload = payload }.ToByteArray());

        var response = await raw.PostAsync(RawGrpcClient.UnaryPath, RawGrpcClient.Frame(compressed, compressedFlag: 1), "application/grpc",
            ("grpc-encoding", "gzip"), ("grpc-accept-encoding", "identity"));

        Assert.True(response.GrpcStatus == "0", response.ToString());
        var decoded = EchoResponse.Parser.ParseFrom(Assert.Single(response.Messages()).Bytes);
        Assert.Equal("zipped", decoded.Message);
        Assert.Equal(payload, decoded.Payload);
        Assert.Equal("gzip", decoded.RequestGrpcEncoding);
    }

    [Theory]
    [InlineData(TestData.UnicodeStatusMessage)]
    [InlineData(TestData.PercentStatusMessage)]
    public async Task Grpc_message_is_percent_encoded_ASCII_that_decodes_to_the_original(string message)
    {
        using var raw = new RawGrpcClient(fixture.OurServer.Port);
        var request = new EchoRequest { StatusCode = 9, StatusMessage = message };

        var response = await raw.PostAsync(RawGrpcClient.UnaryPath, RawGrpcClient.Frame(request.ToByteArray()));

        Assert.Equal("9", response.GrpcStatus);
        var onWire = response.RawGrpcMessage ?? "";
        Assert.All(onWire, c => Assert.InRange(c, ' ', '~'));
        Assert.DoesNotMatch("%(?![0-9A-Fa-f]{2})", onWire); // every '%' starts an escape
        Assert.Equal(message, PercentDecode(onWire));
    }

    /// <summary>
    /// interop.proto's status_details on the wire: exactly one grpc-status-details-bin field, base64 of a
    /// google.rpc.Status whose code and message are those of grpc-status and grpc-message — in the answer to a unary
    /// call (no message before the status) and in the trailers after streamed messages. The grpc-js server runs the
    /// same requests as a reference.
    /// </summary>
    [Theory]
    [InlineData(OurServer)]
    [InlineData(GrpcJsServer)]
    public async Task Status_details_travel_as_one_base64_google_rpc_Status_matching_grpc_status(string server)
    {
        using var raw = new RawGrpcClient(PortOf(server));
        var unary = new EchoRequest { Message = "bad value", StatusCode = 3, StatusMessage = TestData.UnicodeStatusMessage, StatusDetails = true };
        var stream = new EchoRequest { Message = "field", ResponseCount = 3, FailAfterResponses = 1, StatusCode = 9, StatusMessage = "after one", StatusDetails = true };

        foreach (var (path, request, messages) in new[] { (RawGrpcClient.UnaryPath, unary, 0), (RawGrpcClient.ServerStreamPath, stream, 1) })
        {
            var response = await raw.PostAsync(path, RawGrpcClient.Frame(request.ToByteArray()));

            Assert.True(response.GrpcStatus == request.StatusCode.ToString(CultureInfo.InvariantCulture), response.ToString());
            Assert.Equal(messages, response.Messages().Count);
            // A Trailers-Only response carries it in its one HEADERS frame.
            var where = response.Trailers.ContainsKey("grpc-status") ? response.Trailers : response.Headers;
            var status = Google.Rpc.Status.Parser.ParseFrom(Assert.Single(Base64Values(where, "grpc-status-details-bin")));
            Assert.Equal(request.StatusCode, status.Code);
            Assert.Equal(PercentDecode(response.RawGrpcMessage ?? ""), status.Message);
            Assert.Equal(request.StatusMessage, status.Message);
            var violation = Assert.Single(Assert.Single(status.Details).Unpack<Google.Rpc.BadRequest>().FieldViolations);
            Assert.Equal(("message", request.Message), (violation.Field, violation.Description));
        }
    }

    /// <summary>The spec: implementations MUST accept padded and un-padded base64.</summary>
    [Fact]
    public async Task Binary_metadata_is_accepted_padded_and_unpadded()
    {
        using var raw = new RawGrpcClient(fixture.OurServer.Port);

        var response = await raw.PostAsync(RawGrpcClient.UnaryPath, RawGrpcClient.Frame(new EchoRequest { EchoMetadata = true }.ToByteArray()), "application/grpc",
            ("x-echo-unpadded-bin", "/w"),
            ("x-echo-padded-bin", "AP4="));

        Assert.True(response.GrpcStatus == "0", response.ToString());
        Assert.Equal([new byte[] { 0xff }], Base64Values(response.Trailers, "x-trailer-unpadded-bin"));
        Assert.Equal([new byte[] { 0x00, 0xfe }], Base64Values(response.Trailers, "x-trailer-padded-bin"));
        Assert.Equal([new byte[] { 0x00, 0xfe }], Base64Values(response.Headers, "x-echo-padded-bin"));
    }

    /// <summary>
    /// The spec lets a repeated binary key arrive as one field of comma-joined base64 values. Grpc.AspNetCore decodes
    /// the field as one base64 string and fails the call (UNKNOWN); the platform's own protocols never repeat a binary
    /// key. A documented difference of the package: this test notices the day it changes.
    /// </summary>
    [Fact]
    public async Task Comma_joined_binary_metadata_is_refused_by_the_server()
    {
        using var raw = new RawGrpcClient(fixture.OurServer.Port);

        var response = await raw.PostAsync(RawGrpcClient.UnaryPath, RawGrpcClient.Frame(new EchoRequest { EchoMetadata = true }.ToByteArray()), "application/grpc",
            ("x-echo-joined-bin", "AQID,/v8"));

        Assert.Equal("2", response.GrpcStatus);
        var after = await raw.PostAsync(RawGrpcClient.UnaryPath, RawGrpcClient.Frame(new EchoRequest { Message = "after" }.ToByteArray()));
        Assert.True(after.GrpcStatus == "0", after.ToString());
    }

    /// <summary>
    /// An empty value is a valid metadata value (binary: zero bytes; text: the empty string), and
    /// it must come back out in the response headers and in the trailers like any other. The
    /// grpc-js server runs the same request as a reference.
    /// </summary>
    [Fact]
    public async Task Empty_metadata_values_are_echoed_in_headers_and_trailers_by_grpc_js()
    {
        using var raw = new RawGrpcClient(PortOf(GrpcJsServer));

        var response = await raw.PostAsync(RawGrpcClient.UnaryPath, RawGrpcClient.Frame(new EchoRequest { EchoMetadata = true }.ToByteArray()), "application/grpc",
            ("x-echo-empty-bin", ""), ("x-echo-empty-text", ""), ("x-echo-full", "value"));

        Assert.True(response.GrpcStatus == "0", response.ToString());
        Assert.Equal("value", response.Header("x-echo-full")); // the echo itself works
        Assert.True(response.Headers.ContainsKey("x-echo-empty-bin"), $"empty binary value missing from the response headers: {response}");
        Assert.True(response.Headers.ContainsKey("x-echo-empty-text"), $"empty text value missing from the response headers: {response}");
        Assert.True(response.Trailers.ContainsKey("x-trailer-empty-bin"), $"empty binary value missing from the trailers: {response}");
        Assert.True(response.Trailers.ContainsKey("x-trailer-empty-text"), $"empty text value missing from the trailers: {response}");
    }

    /// <summary>
    /// Grpc.AspNetCore leaves metadata with an empty value out of what a handler sees, so it is not echoed; the call
    /// itself succeeds and the other values come back. A documented difference of the package.
    /// </summary>
    [Fact]
    public async Task Empty_metadata_values_are_dropped_by_our_server_while_the_call_succeeds()
    {
        using var raw = new RawGrpcClient(PortOf(OurServer));

        var response = await raw.PostAsync(RawGrpcClient.UnaryPath, RawGrpcClient.Frame(new EchoRequest { EchoMetadata = true }.ToByteArray()), "application/grpc",
            ("x-echo-empty-bin", ""), ("x-echo-empty-text", ""), ("x-echo-full", "value"));

        Assert.True(response.GrpcStatus == "0", response.ToString());
        Assert.Equal("value", response.Header("x-echo-full"));
        Assert.False(response.Headers.ContainsKey("x-echo-empty-bin"), response.ToString());
        Assert.False(response.Trailers.ContainsKey("x-trailer-empty-text"), response.ToString());
    }

    /// <summary>
    /// Three Duplex requests written in one go while the request stays open: every message already
    /// received must reach the handler, not wait for more bytes (or END_STREAM) to arrive. The
    /// grpc-js server runs the same request as a reference.
    /// </summary>
    [Theory]
    [InlineData(OurServer)]
    [InlineData(GrpcJsServer)]
    public async Task Messages_that_arrive_together_are_each_delivered_without_waiting_for_more_data(string server)
    {
        using var raw = new RawGrpcClient(PortOf(server));
        byte[] together = [
            .. RawGrpcClient.Frame(new EchoRequest { Message = "first" }.ToByteArray()),
            .. RawGrpcClient.Frame(new EchoRequest { Message = "second" }.ToByteArray()),
            .. RawGrpcClient.Frame(new EchoRequest { Message = "third" }.ToByteArray()),
        ];
        using var teardown = new CancellationTokenSource();
        var request = RawGrpcClient.CreateRequest(HttpMethod.Post, RawGrpcClient.DuplexPath, new HeldOpenContent(together));

        using var response = await raw.SendStreamingAsync(request, teardown.Token);
        var messages = await RawGrpcClient.ReadMessagesAsync(await response.Content.ReadAsStreamAsync(teardown.Token), 3, TimeSpan.FromSeconds(5));
        await teardown.CancelAsync();

        var answered = messages.Select(m => EchoResponse.Parser.ParseFrom(m.Bytes).Message).ToList();
        Assert.True(answered.Count == 3,
            $"3 request messages arrived together on an open stream; within 5 s the server answered {answered.Count}: [{string.Join(", ", answered)}]");
        Assert.Equal(["first", "second", "third"], answered);
    }

    /// <summary>Every grpc-timeout unit, including H and M, which grpc-js never sends.</summary>
    [Theory]
    [InlineData("2H", 7_200_000L)]
    [InlineData("3M", 180_000L)]
    [InlineData("45S", 45_000L)]
    [InlineData("9000m", 9_000L)]
    [InlineData("8000000u", 8_000L)]
    [InlineData("99999999n", 99L)]
    public async Task Every_grpc_timeout_unit_sets_the_handlers_deadline(string header, long expectedMs)
    {
        using var raw = new RawGrpcClient(fixture.OurServer.Port);

        var response = await raw.PostAsync(RawGrpcClient.UnaryPath, RawGrpcClient.Frame(new EchoRequest { Message = "t" }.ToByteArray()), "application/grpc",
            ("grpc-timeout", header));

        Assert.True(response.GrpcStatus == "0", response.ToString());
        var decoded = EchoResponse.Parser.ParseFrom(Assert.Single(response.Messages()).Bytes);
        Assert.Equal(header, decoded.RequestGrpcTimeout);
        Assert.InRange(decoded.DeadlineRemainingMs, Math.Max(0, expectedMs - 2000), expectedMs);
    }

    private static List<byte[]> Base64Values(Dictionary<string, string> headers, string name)
    {
        Assert.True(headers.TryGetValue(name, out var joined), $"no {name} in [{string.Join("; ", headers.Select(h => h.Key + ": " + h.Value))}]");
        return joined.Split(',').Select(v => v.Trim()).Select(v => Convert.FromBase64String(v.PadRight(v.Length + (4 - v.Length % 4) % 4, '='))).ToList();
    }

    private static string PercentDecode(string value)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '%' && i + 2 < value.Length &&
                byte.TryParse(value.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            {
                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.Add((byte)value[i]);
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
