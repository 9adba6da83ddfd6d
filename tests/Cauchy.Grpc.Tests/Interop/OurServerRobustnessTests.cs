using System.Net;
using System.Net.Http.Headers;
using Cauchy.Grpc.Tests.Interop.Infrastructure;
using Cauchy.Interop.V1;
using Google.Protobuf;
using Xunit;

namespace Cauchy.Grpc.Tests.Interop;

/// <summary>
/// Clients that do not play by the rules, built by hand on HttpClient so that nothing of our own
/// client is involved: wrong content types, broken framing, unknown methods, bytes that are not a
/// protobuf message, oversized messages, and a client that vanishes mid-stream. After each, the
/// server must still answer an ordinary call.
/// </summary>
[Collection(OurServerRobustnessCollection.Name)]
public sealed class OurServerRobustnessTests(InteropFixture fixture) : IDisposable
{
    private const string Unknown = "2";
    private const string Internal = "13";
    private const string Unimplemented = "12";
    private const string ResourceExhausted = "8";

    private readonly RawGrpcClient _raw = new(fixture.OurServer.Port);

    public void Dispose() => _raw.Dispose();

    [Fact]
    public async Task Post_with_a_non_gRPC_content_type_gets_415()
    {
        var response = await _raw.PostAsync(RawGrpcClient.UnaryPath, RawGrpcClient.Frame(new EchoRequest { Message = "x" }.ToByteArray()), "text/plain");

        Assert.True(response.HttpStatus == 415, $"expected HTTP 415 Unsupported Media Type (PROTOCOL-HTTP2: SHOULD), got {response}");
        await AssertServerStillAnswersAsync();
    }

    [Theory]
    [InlineData("/")]
    [InlineData(RawGrpcClient.UnaryPath)]
    public async Task Plain_HTTP2_GET_is_refused_without_crashing_the_server(string path)
    {
        var response = await _raw.SendAsync(RawGrpcClient.CreateRequest(HttpMethod.Get, path));

        var refused = response.HttpStatus is >= 400 and < 500 || (response.HttpStatus == 200 && response.GrpcStatus is not null && response.GrpcStatus != "0");
        Assert.True(refused, $"a GET {path} was neither an HTTP 4xx nor a gRPC error: {response}");
        await AssertServerStillAnswersAsync();
    }

    [Fact]
    public async Task Truncated_length_prefix_gets_INTERNAL()
    {
        var response = await _raw.PostAsync(RawGrpcClient.UnaryPath, [0, 0, 0]);

        AssertGrpcStatus(Internal, response);
        await AssertServerStillAnswersAsync();
    }

    [Fact]
    public async Task Message_shorter_than_its_length_prefix_gets_INTERNAL()
    {
        var response = await _raw.PostAsync(RawGrpcClient.UnaryPath, RawGrpcClient.Frame(new byte[10], declaredLength: 100));

        AssertGrpcStatus(Internal, response);
        await AssertServerStillAnswersAsync();
    }

    [Fact]
    public async Task Unary_request_with_two_messages_is_refused()
    {
        var one = RawGrpcClient.Frame(new EchoRequest { Message = "one" }.ToByteArray());
        var response = await _raw.PostAsync(RawGrpcClient.UnaryPath, [.. one, .. one]);

        Assert.True(response.GrpcStatus is not null && response.GrpcStatus != "0", $"a unary call with two request messages succeeded: {response}");
        await AssertServerStillAnswersAsync();
    }

    [Theory]
    [InlineData("/cauchy.interop.v1.Echo/NoSuchMethod")]
    [InlineData("/no.such.Service/Unary")]
    public async Task Unknown_method_or_service_gets_UNIMPLEMENTED(string path)
    {
        var response = await _raw.PostAsync(path, RawGrpcClient.Frame(new EchoRequest().ToByteArray()));

        Assert.Equal(200, response.HttpStatus);
        AssertGrpcStatus(Unimplemented, response);
        await AssertServerStillAnswersAsync();
    }

    [Theory]
    [InlineData(new byte[] { 0xff, 0xff, 0xff })]                  // a field tag whose varint never ends
    [InlineData(new byte[] { 0x12, 0x10, 0x01 })]                  // payload (field 2) claims 16 bytes, has 1
    [InlineData(new byte[] { 0x0f, 0x00 })]                        // field 1 with wire type 7, which does not exist
    public async Task Malformed_protobuf_gets_UNKNOWN_and_the_server_keeps_serving(byte[] message)
    {
        var response = await _raw.PostAsync(RawGrpcClient.UnaryPath, RawGrpcClient.Frame(message));

        // Grpc.AspNetCore reports a request it cannot deserialize like a handler exception (UNKNOWN, "Exception was
        // thrown by handler."); the gRPC spec would have INTERNAL. A documented difference of the package.
        AssertGrpcStatus(Unknown, response);
        await AssertServerStillAnswersAsync();
    }

    [Fact]
    public async Task Message_one_byte_over_the_4_MiB_limit_gets_RESOURCE_EXHAUSTED()
    {
        var response = await _raw.PostAsync(RawGrpcClient.UnaryPath, RawGrpcClient.Frame(new byte[TestData.DefaultMessageLimit + 1]));

        AssertGrpcStatus(ResourceExhausted, response);
        await AssertServerStillAnswersAsync();
    }

    [Fact]
    public async Task Length_prefix_announcing_2_GiB_gets_RESOURCE_EXHAUSTED_without_waiting_for_the_bytes()
    {
        var response = await _raw.PostAsync(RawGrpcClient.UnaryPath, RawGrpcClient.Frame([1, 2, 3], declaredLength: int.MaxValue));

        AssertGrpcStatus(ResourceExhausted, response);
        await AssertServerStillAnswersAsync();
    }

    [Fact]
    public async Task Compressed_flag_other_than_0_or_1_gets_UNKNOWN_and_the_server_keeps_serving()
    {
        var response = await _raw.PostAsync(RawGrpcClient.UnaryPath, RawGrpcClient.Frame(new EchoRequest { Message = "x" }.ToByteArray(), compressedFlag: 2));

        // As with malformed protobuf, Grpc.AspNetCore answers a malformed frame with UNKNOWN rather than INTERNAL.
        AssertGrpcStatus(Unknown, response);
        await AssertServerStillAnswersAsync();
    }

    [Fact]
    public async Task Compressed_flag_without_grpc_encoding_gets_INTERNAL()
    {
        var compressed = RawGrpcClient.Gzip(new EchoRequest { Message = "x" }.ToByteArray());
        var response = await _raw.PostAsync(RawGrpcClient.UnaryPath, RawGrpcClient.Frame(compressed, compressedFlag: 1));

        AssertGrpcStatus(Internal, response);
        await AssertServerStillAnswersAsync();
    }

    [Fact]
    public async Task Message_compressed_with_an_unknown_encoding_gets_UNIMPLEMENTED_and_the_accepted_encodings()
    {
        var response = await _raw.PostAsync(RawGrpcClient.UnaryPath,
            RawGrpcClient.Frame(new byte[] { 1, 2, 3, 4 }, compressedFlag: 1), "application/grpc", ("grpc-encoding", "x-cauchy-unknown"));

        AssertGrpcStatus(Unimplemented, response);
        var accepted = response.Header("grpc-accept-encoding");
        Assert.False(string.IsNullOrEmpty(accepted), $"UNIMPLEMENTED for an unknown encoding must list the accepted ones in grpc-accept-encoding: {response}");
        Assert.DoesNotContain("x-cauchy-unknown", accepted, StringComparison.Ordinal);
        await AssertServerStillAnswersAsync();
    }

    [Fact]
    public async Task Client_that_vanishes_mid_stream_fires_the_handlers_token()
    {
        var callId = "vanish-" + Guid.NewGuid().ToString("N");
        using var relay = new TcpRelay(fixture.OurServer.Port);
        using var doomed = new RawGrpcClient(relay.Port);
        var requestBody = new HeldOpenContent(RawGrpcClient.Frame(new EchoRequest { CallId = callId, ResponseCount = 1000, DelayMs = 20 }.ToByteArray()));
        var request = RawGrpcClient.CreateRequest(HttpMethod.Post, RawGrpcClient.DuplexPath, requestBody);

        var responseTask = doomed.SendAsync(request);
        var record = await WaitForRecordAsync(callId, r => r.MessagesSent >= 1);
        relay.Sever();

        Assert.True(await record.WaitFinishedAsync(TimeSpan.FromSeconds(5)), $"the handler was still running 5 s after its client vanished: {record}");
        Assert.True(record.Cancelled, $"the handler's CancellationToken did not fire when its client vanished: {record}");
        Assert.True(record.MessagesSent < 1000, record.ToString());
        await Assert.ThrowsAnyAsync<Exception>(() => responseTask);
        await AssertServerStillAnswersAsync();
    }

    [Fact]
    public async Task Client_that_resets_its_stream_fires_the_handlers_token()
    {
        var callId = "reset-" + Guid.NewGuid().ToString("N");
        using var cancellation = new CancellationTokenSource();
        var requestBody = new HeldOpenContent(RawGrpcClient.Frame(new EchoRequest { CallId = callId, ResponseCount = 1000, DelayMs = 20 }.ToByteArray()));
        var request = RawGrpcClient.CreateRequest(HttpMethod.Post, RawGrpcClient.DuplexPath, requestBody);

        var responseTask = _raw.SendAsync(request, cancellation.Token);
        var record = await WaitForRecordAsync(callId, r => r.MessagesSent >= 1);
        cancellation.Cancel(); // HttpClient resets the stream with RST_STREAM(CANCEL)

        Assert.True(await record.WaitFinishedAsync(TimeSpan.FromSeconds(5)), $"the handler was still running 5 s after the reset: {record}");
        Assert.True(record.Cancelled, $"the handler's CancellationToken did not fire on RST_STREAM: {record}");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => responseTask);
        await AssertServerStillAnswersAsync();
    }

    private async Task<CallRecord> WaitForRecordAsync(string callId, Func<CallRecord, bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < until)
        {
            if (fixture.OurServer.Registry.Find(callId) is { } record && condition(record))
            {
                return record;
            }
            await Task.Delay(10);
        }
        throw new Xunit.Sdk.XunitException($"call {callId} never reached the expected state: {fixture.OurServer.Registry.Find(callId)?.ToString() ?? "never seen"}");
    }

    private static void AssertGrpcStatus(string expected, RawResponse response) =>
        Assert.True(response.GrpcStatus == expected, $"expected grpc-status {expected}, got {response}");

    private async Task AssertServerStillAnswersAsync()
    {
        using var fresh = new RawGrpcClient(fixture.OurServer.Port);
        var response = await fresh.UnaryAsync(new EchoRequest { Message = "still there?", Payload = ByteString.CopyFromUtf8("yes") });
        Assert.Equal("still there?", response.Message);
        Assert.Equal("yes", response.Payload.ToStringUtf8());
    }
}
