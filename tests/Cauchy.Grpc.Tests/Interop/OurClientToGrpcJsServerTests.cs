using System.Diagnostics;
using System.Globalization;
using Cauchy.Grpc.Tests.Interop.Infrastructure;
using Cauchy.Interop.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit;
using BadRequest = Google.Rpc.BadRequest;

namespace Cauchy.Grpc.Tests.Interop;

/// <summary>
/// Our client (Grpc.Net.Client's GrpcChannel and the generated EchoClient) calling a
/// @grpc/grpc-js server (tests/interop-node/server.js). The grpc-js server reports what it saw —
/// the grpc-timeout and grpc-encoding headers, its deadline, whether it observed a cancellation
/// and with which RST_STREAM code — so the tests check both sides of each call.
/// </summary>
[Collection(OurClientToGrpcJsServerCollection.Name)]
public sealed class OurClientToGrpcJsServerTests(InteropFixture fixture) : IDisposable
{
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromSeconds(20);

    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(fixture.NodeServer.HttpAddress);

    private Echo.EchoClient Client => new(_channel);

    public void Dispose() => _channel.Dispose();

    [Fact]
    public async Task Unary_round_trips_message_and_payload()
    {
        var callId = NewCallId();
        var payload = TestData.PatternString(1000, 1);

        var response = await Client.UnaryAsync(new EchoRequest { Message = "hello from Cauchy", Payload = payload, CallId = callId });

        Assert.Equal("hello from Cauchy", response.Message);
        Assert.Equal(payload, response.Payload);
        Assert.NotEmpty(response.Peer);
        var state = await StateAsync(callId);
        Assert.True(state.Finished, state.ToString());
        Assert.False(state.Cancelled, $"grpc-js saw a normally completed call as cancelled: {state}");

        var empty = await Client.UnaryAsync(new EchoRequest());
        Assert.Equal("", empty.Message);
        Assert.True(empty.Payload.IsEmpty);
    }

    [Fact]
    public async Task Server_streaming_delivers_every_response_in_order()
    {
        using var call = Client.ServerStream(new EchoRequest { ResponseCount = 5, ResponseSize = 1000 });
        var responses = await ReadAllAsync(call.ResponseStream);

        Assert.Equal(5, responses.Count);
        for (var i = 0; i < responses.Count; i++)
        {
            Assert.Equal(i, responses[i].Index);
            Assert.Equal(TestData.PatternString(1000, i), responses[i].Payload);
        }
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Server_streaming_of_1_MiB_messages_crosses_flow_control_windows()
    {
        using var call = Client.ServerStream(new EchoRequest { ResponseCount = 3, ResponseSize = 1024 * 1024 });
        var responses = await ReadAllAsync(call.ResponseStream);

        Assert.Equal(3, responses.Count);
        for (var i = 0; i < responses.Count; i++)
        {
            Assert.True(TestData.PatternString(1024 * 1024, i).Equals(responses[i].Payload), $"1 MiB response {i} differs");
        }
    }

    [Fact]
    public async Task Client_streaming_delivers_every_request()
    {
        using var call = Client.ClientStream();
        for (var i = 0; i < 10; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Message = $"part {i}", Payload = TestData.PatternString(100, i) });
        }
        await call.RequestStream.CompleteAsync();
        var response = await call.ResponseAsync;

        Assert.Equal(10, response.ReceivedCount);
        Assert.Equal(1000, response.ReceivedBytes);
        Assert.Equal("part 0", response.Message);
    }

    [Fact]
    public async Task Client_streaming_of_512_KiB_messages_and_of_no_messages()
    {
        using (var call = Client.ClientStream())
        {
            for (var i = 0; i < 6; i++)
            {
                await call.RequestStream.WriteAsync(new EchoRequest { Payload = TestData.PatternString(512 * 1024, i) });
            }
            await call.RequestStream.CompleteAsync();
            Assert.Equal(6 * 512 * 1024, (await call.ResponseAsync).ReceivedBytes);
        }
        using (var none = Client.ClientStream())
        {
            await none.RequestStream.CompleteAsync();
            Assert.Equal(0, (await none.ResponseAsync).ReceivedCount);
        }
    }

    [Fact]
    public async Task Duplex_ping_pong_interleaves_requests_and_responses()
    {
        using var timeout = new CancellationTokenSource(StreamTimeout);
        using var call = Client.Duplex();
        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Message = $"ping {i}" });
            // The next ping is written only after this pong arrived.
            Assert.True(await call.ResponseStream.MoveNext(timeout.Token), $"no pong for ping {i}");
            Assert.Equal($"ping {i}", call.ResponseStream.Current.Message);
            Assert.Equal(i, call.ResponseStream.Current.Index);
        }
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Duplex_with_many_requests_in_flight_answers_each_in_order()
    {
        using var call = Client.Duplex();
        for (var i = 0; i < 20; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Message = $"bulk {i}", ResponseCount = 2, ResponseSize = 300 });
        }
        await call.RequestStream.CompleteAsync();
        var responses = await ReadAllAsync(call.ResponseStream);

        Assert.Equal(40, responses.Count);
        for (var i = 0; i < responses.Count; i++)
        {
            Assert.Equal($"bulk {i / 2}", responses[i].Message);
            Assert.Equal(i, responses[i].Index);
        }
    }

    [Fact]
    public async Task Short_deadline_against_a_slow_server_gives_DEADLINE_EXCEEDED_and_the_server_cancels()
    {
        var callId = NewCallId();
        var stopwatch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Client.UnaryAsync(new EchoRequest { DelayMs = 8000, CallId = callId }, deadline: DateTime.UtcNow.AddMilliseconds(2500)).ResponseAsync);

        // 2.5 s so the call reaches grpc-js before its deadline even on a loaded CI machine (1 s did not, once).
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5.5), $"DEADLINE_EXCEEDED took {stopwatch.Elapsed} for a 2.5 s deadline");
        var state = await StateAsync(callId);
        Assert.True(state.Known, $"grpc-js never saw call {callId}");
        Assert.True(state.Cancelled, $"grpc-js did not cancel the call at its deadline: {state}");
    }

    [Fact]
    public async Task Deadline_during_a_server_stream_gives_DEADLINE_EXCEEDED_after_some_messages()
    {
        var callId = NewCallId();
        using var call = Client.ServerStream(new EchoRequest { ResponseCount = 100, DelayMs = 50, CallId = callId }, deadline: DateTime.UtcNow.AddMilliseconds(2500));
        var received = 0;

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                received++;
            }
        });

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.InRange(received, 1, 99);
        Assert.True((await StateAsync(callId)).Cancelled);
    }

    /// <summary>
    /// Our client encodes each deadline as grpc-timeout in whatever unit it picks; grpc-js must
    /// parse it (1-8 digits and H/M/S/m/u/n) to the same deadline.
    /// </summary>
    [Theory]
    [InlineData(2_000L)]
    [InlineData(30_000L)]
    [InlineData(600_000L)]
    [InlineData(5 * 3_600_000L)]
    [InlineData(20 * 86_400_000L)]
    public async Task Grpc_timeout_header_units_are_understood_by_grpc_js(long deadlineMs)
    {
        var response = await Client.UnaryAsync(new EchoRequest { Message = "deadline" }, deadline: DateTime.UtcNow.AddMilliseconds(deadlineMs));

        var header = response.RequestGrpcTimeout;
        Assert.Matches("^[0-9]{1,8}[HMSmun]$", header);
        var headerMs = TimeoutHeaderMilliseconds(header);
        Assert.InRange(headerMs, deadlineMs - 3000, deadlineMs + 1000);
        // grpc-js turned the header into its deadline: what it saw remaining must match the header.
        Assert.InRange(response.DeadlineRemainingMs, headerMs - 3000, headerMs + 1);
    }

    [Fact]
    public async Task No_deadline_sends_no_grpc_timeout()
    {
        var response = await Client.UnaryAsync(new EchoRequest { Message = "no deadline" });

        Assert.Equal("", response.RequestGrpcTimeout);
        Assert.Equal(-1, response.DeadlineRemainingMs);
    }

    [Fact]
    public async Task Cancelling_a_server_stream_resets_it_with_CANCEL_and_grpc_js_sees_cancelled()
    {
        var callId = NewCallId();
        using var cancellation = new CancellationTokenSource();
        using var call = Client.ServerStream(new EchoRequest { ResponseCount = 1000, DelayMs = 20, CallId = callId }, cancellationToken: cancellation.Token);
        var received = 0;

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                if (++received == 3)
                {
                    cancellation.Cancel();
                }
            }
        });

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        var state = await StateAsync(callId);
        Assert.True(state.Cancelled, $"grpc-js did not emit 'cancelled': {state}");
        Assert.Equal(8, state.RstCode); // RST_STREAM(CANCEL), as the spec asks of a cancelling client
        Assert.True(state.MessagesSent < 1000, state.ToString());
    }

    [Fact]
    public async Task Cancelling_a_client_stream_resets_it_and_grpc_js_sees_cancelled()
    {
        var callId = NewCallId();
        using var cancellation = new CancellationTokenSource();
        using var call = Client.ClientStream(cancellationToken: cancellation.Token);
        for (var i = 0; i < 3; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { CallId = callId, Message = $"part {i}", DelayMs = 5000 });
        }
        var state = await WaitForAsync(callId, s => s.MessagesReceived == 3);

        cancellation.Cancel();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        state = await StateAsync(callId);
        Assert.True(state.Cancelled, $"grpc-js did not emit 'cancelled': {state}");
        Assert.Equal(8, state.RstCode);
    }

    [Fact]
    public async Task Cancelling_a_duplex_call_resets_it_and_grpc_js_sees_cancelled()
    {
        var callId = NewCallId();
        using var cancellation = new CancellationTokenSource();
        using var call = Client.Duplex(cancellationToken: cancellation.Token);
        await call.RequestStream.WriteAsync(new EchoRequest { CallId = callId, ResponseCount = 1000, DelayMs = 20 });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        cancellation.Cancel();
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        });

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        var state = await StateAsync(callId);
        Assert.True(state.Cancelled, $"grpc-js did not emit 'cancelled': {state}");
        Assert.Equal(8, state.RstCode);
    }

    [Fact]
    public async Task Status_after_messages_arrives_after_them()
    {
        using var call = Client.ServerStream(new EchoRequest
        {
            ResponseCount = 10,
            FailAfterResponses = 3,
            StatusCode = (int)StatusCode.Aborted,
            StatusMessage = "stopped after 3",
        });
        var received = 0;

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                received++;
            }
        });

        Assert.Equal(3, received);
        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal("stopped after 3", error.Status.Detail);
    }

    /// <summary>The spec's RST_STREAM → status mapping, for a reset after two messages.</summary>
    [Theory]
    [InlineData(8, StatusCode.Cancelled)]
    [InlineData(2, StatusCode.Internal)]
    [InlineData(11, StatusCode.ResourceExhausted)]
    public async Task Server_resetting_the_stream_maps_to_the_specified_status(int rstCode, StatusCode expected)
    {
        using var call = Client.ServerStream(new EchoRequest { ResponseCount = 10, FailAfterResponses = 2, AbortWithRstCode = rstCode });
        var received = 0;

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                received++;
            }
        });

        Assert.True(received == 2 && error.StatusCode == expected,
            $"after RST_STREAM({rstCode}) following 2 responses: received {received} responses, then {error.Status} (expected {expected})");
    }

    [Fact]
    public async Task Handler_error_without_a_code_gives_UNKNOWN()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(new EchoRequest { ThrowException = true }).ResponseAsync);

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal("the handler failed on purpose (throw_exception)", error.Status.Detail);
    }

    [Theory]
    [InlineData(TestData.UnicodeStatusMessage)]
    [InlineData(TestData.PercentStatusMessage)]
    public async Task Percent_encoded_status_message_arrives_intact(string message)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Client.UnaryAsync(new EchoRequest { StatusCode = (int)StatusCode.FailedPrecondition, StatusMessage = message }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(message, error.Status.Detail);
    }

    [Theory]
    [InlineData(TestData.UnicodeStatusMessage)]
    [InlineData(TestData.PercentStatusMessage)]
    public async Task Percent_encoded_status_message_in_trailers_after_messages_arrives_intact(string message)
    {
        using var call = Client.ServerStream(new EchoRequest
        {
            ResponseCount = 5,
            FailAfterResponses = 2,
            StatusCode = (int)StatusCode.DataLoss,
            StatusMessage = message,
        });

        var error = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(call.ResponseStream));

        Assert.Equal(StatusCode.DataLoss, error.StatusCode);
        Assert.Equal(message, error.Status.Detail);
    }

    [Theory]
    [MemberData(nameof(NonOkStatusCodes))]
    public async Task Every_status_code_round_trips(StatusCode code)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Client.UnaryAsync(new EchoRequest { StatusCode = (int)code, StatusMessage = $"status {(int)code}" }).ResponseAsync);

        Assert.Equal(code, error.StatusCode);
        Assert.Equal($"status {(int)code}", error.Status.Detail);
    }

    public static TheoryData<StatusCode> NonOkStatusCodes()
    {
        var data = new TheoryData<StatusCode>();
        for (var code = 1; code <= 16; code++)
        {
            data.Add((StatusCode)code);
        }
        return data;
    }

    [Fact]
    public async Task Text_and_binary_metadata_echo_in_headers_and_trailers_of_a_unary_call()
    {
        using var call = Client.UnaryAsync(new EchoRequest { EchoMetadata = true }, EchoedMetadata());
        await call.ResponseAsync;

        AssertEchoed(await call.ResponseHeadersAsync, "x-echo-");
        AssertEchoed(call.GetTrailers(), "x-trailer-");
    }

    [Fact]
    public async Task Text_and_binary_metadata_echo_in_headers_and_trailers_of_a_server_stream()
    {
        using var call = Client.ServerStream(new EchoRequest { EchoMetadata = true, ResponseCount = 2 }, EchoedMetadata());
        var headers = await call.ResponseHeadersAsync;
        Assert.Equal(2, (await ReadAllAsync(call.ResponseStream)).Count);

        AssertEchoed(headers, "x-echo-");
        AssertEchoed(call.GetTrailers(), "x-trailer-");
    }

    [Fact]
    public async Task Repeated_metadata_keys_keep_every_value_in_order()
    {
        var metadata = new Metadata
        {
            { "x-echo-multi", "first" },
            { "x-echo-multi", "second" },
            { "x-echo-multi-bin", new byte[] { 1, 2, 3 } },
            { "x-echo-multi-bin", new byte[] { 0xfe, 0xff } },
        };
        using var call = Client.UnaryAsync(new EchoRequest { EchoMetadata = true }, metadata);
        await call.ResponseAsync;

        foreach (var (received, prefix) in new[] { (await call.ResponseHeadersAsync, "x-echo-"), (call.GetTrailers(), "x-trailer-") })
        {
            // Repeated text values may legally arrive joined by ','; binary ones must be split.
            var text = received.GetAll(prefix + "multi").SelectMany(e => e.Value.Split(',')).Select(v => v.Trim());
            Assert.Equal(["first", "second"], text);
            var binary = received.GetAll(prefix + "multi-bin").Select(e => e.ValueBytes).ToList();
            Assert.Equal(2, binary.Count);
            Assert.Equal(new byte[] { 1, 2, 3 }, binary[0]);
            Assert.Equal(new byte[] { 0xfe, 0xff }, binary[1]);
        }
    }

    [Fact]
    public async Task Empty_binary_metadata_value_round_trips()
    {
        using var call = Client.UnaryAsync(new EchoRequest { EchoMetadata = true }, new Metadata { { "x-echo-empty-bin", Array.Empty<byte>() } });
        await call.ResponseAsync;

        var entry = Assert.Single(call.GetTrailers().GetAll("x-trailer-empty-bin"));
        Assert.Empty(entry.ValueBytes);
    }

    [Fact]
    public async Task Trailers_travel_with_an_error_status()
    {
        using var call = Client.UnaryAsync(
            new EchoRequest { EchoMetadata = true, StatusCode = (int)StatusCode.NotFound, StatusMessage = "no such thing" }, EchoedMetadata());

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("no such thing", error.Status.Detail);
        AssertEchoed(error.Trailers, "x-trailer-");
        AssertEchoed(await call.ResponseHeadersAsync, "x-echo-");
    }

    /// <summary>
    /// grpc-js has no rich-status API: server.js sends the serialized google.rpc.Status as an ordinary binary trailer,
    /// and Grpc.StatusProto's GetRpcStatus() must find and parse it.
    /// </summary>
    [Fact]
    public async Task Rich_status_details_from_grpc_js_unpack_with_GetRpcStatus()
    {
        const string invalidValue = "not a valid name: ✗ «Ωmega»";

        var error = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(new EchoRequest
        {
            Message = invalidValue,
            StatusCode = (int)StatusCode.InvalidArgument,
            StatusMessage = TestData.UnicodeStatusMessage,
            StatusDetails = true,
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(TestData.UnicodeStatusMessage, error.Status.Detail);
        AssertBadRequest(error, StatusCode.InvalidArgument, TestData.UnicodeStatusMessage, invalidValue);
    }

    [Fact]
    public async Task Rich_status_details_after_streamed_messages_travel_with_the_echoed_trailers()
    {
        using var call = Client.ServerStream(new EchoRequest
        {
            Message = "field text",
            ResponseCount = 5,
            FailAfterResponses = 2,
            EchoMetadata = true,
            StatusCode = (int)StatusCode.FailedPrecondition,
            StatusMessage = "stopped after 2",
            StatusDetails = true,
        }, EchoedMetadata());
        var received = new List<EchoResponse>();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                received.Add(call.ResponseStream.Current);
            }
        });

        Assert.Equal(2, received.Count);
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        AssertBadRequest(error, StatusCode.FailedPrecondition, "stopped after 2", "field text");
        AssertEchoed(error.Trailers, "x-trailer-");
    }

    [Fact]
    public async Task Error_without_status_details_has_no_rich_status()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Client.UnaryAsync(new EchoRequest { StatusCode = (int)StatusCode.InvalidArgument, StatusMessage = "plain" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Null(error.GetRpcStatus());
        Assert.Empty(error.Trailers.GetAll("grpc-status-details-bin"));
    }

    [Fact]
    public async Task Gzip_request_compression_is_accepted_by_grpc_js()
    {
        var gzip = new Metadata { { "grpc-internal-encoding-request", "gzip" } };
        var payload = ByteString.CopyFromUtf8(string.Concat(Enumerable.Repeat("compressible text ", 16 * 1024)));

        var response = await Client.UnaryAsync(new EchoRequest { Message = "gzip", Payload = payload }, gzip);

        Assert.Equal("gzip", response.RequestGrpcEncoding);
        Assert.Equal(payload, response.Payload);

        using var call = Client.ClientStream(new Metadata { { "grpc-internal-encoding-request", "gzip" } });
        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Payload = TestData.PatternString(10_000, i) });
        }
        await call.RequestStream.CompleteAsync();
        var summary = await call.ResponseAsync;
        Assert.Equal(50_000, summary.ReceivedBytes);
        Assert.Equal("gzip", summary.RequestGrpcEncoding);
    }

    /// <summary>
    /// grpc-js servers never compress, so the responses come from server.js --compression gzip:
    /// a minimal node:http2 + zlib responder that gzips even-indexed messages and not odd ones.
    /// </summary>
    [Fact]
    public async Task Gzip_compressed_responses_are_decompressed_message_by_message()
    {
        using var channel = GrpcChannel.ForAddress(fixture.NodeGzipResponder.HttpAddress);
        var client = new Echo.EchoClient(channel);

        var unary = await client.UnaryAsync(new EchoRequest { Message = "gzip me", ResponseSize = 200_000 });
        Assert.Equal("gzip me", unary.Message);
        Assert.True(TestData.PatternString(200_000, 0).Equals(unary.Payload), "the gzip-compressed unary payload differs");

        using var call = client.ServerStream(new EchoRequest { ResponseCount = 4, ResponseSize = 5000 });
        var responses = await ReadAllAsync(call.ResponseStream);
        Assert.Equal(4, responses.Count);
        for (var i = 0; i < responses.Count; i++)
        {
            Assert.Equal(TestData.PatternString(5000, i), responses[i].Payload);
        }
    }

    /// <summary>
    /// grpc-js decompresses transparently and cannot say whether a message really was compressed;
    /// the node gzip responder parses the framing itself and reports the compressed flag.
    /// </summary>
    [Fact]
    public async Task Gzip_request_compression_sets_the_compressed_flag_on_the_wire()
    {
        using var channel = GrpcChannel.ForAddress(fixture.NodeGzipResponder.HttpAddress);
        var client = new Echo.EchoClient(channel);
        var payload = ByteString.CopyFromUtf8(string.Concat(Enumerable.Repeat("compressible text ", 1000)));

        var compressed = await client.UnaryAsync(new EchoRequest { Message = "zip", Payload = payload }, new Metadata { { "grpc-internal-encoding-request", "gzip" } });
        var plain = await client.UnaryAsync(new EchoRequest { Message = "plain", Payload = payload });

        Assert.True(compressed.RequestCompressed, "with grpc-internal-encoding-request: gzip the request message went out with compressed-flag 0");
        Assert.Equal("gzip", compressed.RequestGrpcEncoding);
        Assert.Equal(payload, compressed.Payload);
        Assert.False(plain.RequestCompressed, "without a request encoding the request message went out compressed");
        Assert.Equal(payload, plain.Payload);
    }

    [Fact]
    public async Task Request_at_the_4_MiB_limit_passes_and_one_byte_over_gives_RESOURCE_EXHAUSTED()
    {
        // Our client may send large messages, so the limit exercised is the grpc-js server's.
        using var channel = GrpcChannel.ForAddress(fixture.NodeServer.HttpAddress, new GrpcChannelOptions { MaxSendMessageSize = 16 * 1024 * 1024 });
        var client = new Echo.EchoClient(channel);

        var atLimit = RequestOfSize(TestData.DefaultMessageLimit);
        Assert.Equal(1, (await client.UnaryAsync(atLimit)).Payload.Length);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(RequestOfSize(TestData.DefaultMessageLimit + 1)).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("larger than max", error.Status.Detail, StringComparison.Ordinal); // grpc-js's words: the server refused it

        Assert.Equal("after", (await client.UnaryAsync(new EchoRequest { Message = "after" })).Message);
    }

    [Fact]
    public async Task Response_over_our_clients_4_MiB_limit_gives_RESOURCE_EXHAUSTED()
    {
        var underLimit = await Client.UnaryAsync(new EchoRequest { ResponseSize = TestData.DefaultMessageLimit - 1024 });
        Assert.Equal(TestData.DefaultMessageLimit - 1024, underLimit.Payload.Length);

        var error = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(new EchoRequest { ResponseSize = TestData.DefaultMessageLimit + 1 }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);

        Assert.Equal("after", (await Client.UnaryAsync(new EchoRequest { Message = "after" })).Message);
    }

    [Fact]
    public async Task Hundred_concurrent_calls_run_at_once_on_one_connection()
    {
        var barrier = NewCallId();
        var deadline = DateTime.UtcNow.AddSeconds(20);

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            Client.UnaryAsync(new EchoRequest { Message = $"call {i}", BarrierId = barrier, BarrierCount = 100 }, deadline: deadline).ResponseAsync));

        for (var i = 0; i < responses.Length; i++)
        {
            Assert.Equal($"call {i}", responses[i].Message);
        }
        var peers = responses.Select(r => r.Peer).Distinct().ToList();
        Assert.True(peers.Count == 1, $"expected one HTTP/2 connection, grpc-js saw {peers.Count}: {string.Join(", ", peers)}");
        Assert.True(responses.Max(r => r.MaxInFlight) >= 100);
    }

    [Fact]
    public async Task Calls_beyond_the_servers_stream_limit_open_another_connection()
    {
        await using var limited = await NodeServerProcess.StartAsync("--max-concurrent-streams", "50");
        using var channel = GrpcChannel.ForAddress(limited.HttpAddress);
        var client = new Echo.EchoClient(channel);
        var barrier = NewCallId();
        var deadline = DateTime.UtcNow.AddSeconds(20);

        // All 100 must be in flight at once for the barrier to open: 50 streams per connection
        // leaves our client a second connection as the only way through.
        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            client.UnaryAsync(new EchoRequest { Message = $"call {i}", BarrierId = barrier, BarrierCount = 100 }, deadline: deadline).ResponseAsync));

        var perConnection = responses.GroupBy(r => r.Peer).Select(g => g.Count()).ToList();
        Assert.True(perConnection.Count >= 2, $"expected more than one connection, grpc-js saw calls per connection: {string.Join(", ", perConnection)}");
        Assert.All(perConnection, count => Assert.True(count <= 50, $"a connection carried {count} concurrent streams over the limit of 50"));
    }

    private static Metadata EchoedMetadata() => new()
    {
        { "x-echo-text", "plain ascii value: 1 2 3 !#$&" },
        { "x-echo-all-bin", TestData.AllByteValues() },
        { "x-echo-one-bin", new byte[] { 0xff } },
        { "x-echo-two-bin", new byte[] { 0x00, 0xfe } },
        { "x-echo-three-bin", new byte[] { 0xfb, 0xff, 0xbf } },
    };

    private static void AssertEchoed(Metadata received, string prefix)
    {
        Assert.Equal("plain ascii value: 1 2 3 !#$&", received.GetValue(prefix + "text"));
        Assert.Equal(TestData.AllByteValues(), Assert.Single(received.GetAll(prefix + "all-bin")).ValueBytes);
        Assert.Equal(new byte[] { 0xff }, Assert.Single(received.GetAll(prefix + "one-bin")).ValueBytes);
        Assert.Equal(new byte[] { 0x00, 0xfe }, Assert.Single(received.GetAll(prefix + "two-bin")).ValueBytes);
        Assert.Equal(new byte[] { 0xfb, 0xff, 0xbf }, Assert.Single(received.GetAll(prefix + "three-bin")).ValueBytes);
    }

    /// <summary>What interop.proto's status_details promises: the call's code and message, and one BadRequest.</summary>
    private static void AssertBadRequest(RpcException error, StatusCode code, string message, string description)
    {
        var status = error.GetRpcStatus();
        Assert.True(status is not null, $"no google.rpc.Status in grpc-status-details-bin; trailers: {string.Join(", ", error.Trailers.Select(t => t.Key))}");
        Assert.Equal((int)code, status.Code);
        Assert.Equal(message, status.Message);
        var detail = Assert.Single(status.Details);
        Assert.Equal("type.googleapis.com/google.rpc.BadRequest", detail.TypeUrl);
        var violation = Assert.Single(detail.Unpack<BadRequest>().FieldViolations);
        Assert.Equal("message", violation.Field);
        Assert.Equal(description, violation.Description);
    }

    /// <summary>A request whose serialized size is exactly <paramref name="size"/> bytes, asking for a 1-byte response.</summary>
    private static EchoRequest RequestOfSize(int size)
    {
        var request = new EchoRequest { ResponseSize = 1 };
        var payloadLength = size - request.CalculateSize() - 1 - CodedOutputStream.ComputeLengthSize(size);
        while (request.CalculateSize() + 1 + CodedOutputStream.ComputeLengthSize(payloadLength) + payloadLength < size)
        {
            payloadLength++;
        }
        request.Payload = TestData.PatternString(payloadLength, 7);
        Assert.Equal(size, request.CalculateSize());
        return request;
    }

    private static long TimeoutHeaderMilliseconds(string header)
    {
        var amount = long.Parse(header.AsSpan(0, header.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture);
        return header[^1] switch
        {
            'H' => amount * 3_600_000,
            'M' => amount * 60_000,
            'S' => amount * 1000,
            'm' => amount,
            'u' => amount / 1000,
            'n' => amount / 1_000_000,
            _ => throw new FormatException(header),
        };
    }

    private async Task<CallState> StateAsync(string callId, int waitMs = 3000) =>
        await Client.GetCallStateAsync(new CallStateRequest { CallId = callId, WaitMs = waitMs });

    private async Task<CallState> WaitForAsync(string callId, Func<CallState, bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(5);
        CallState state;
        do
        {
            await Task.Delay(20);
            state = await StateAsync(callId, waitMs: 0);
        }
        while (!(state.Known && condition(state)) && DateTime.UtcNow < until);
        Assert.True(state.Known && condition(state), $"grpc-js never reached the expected state: {state}");
        return state;
    }

    private static async Task<List<EchoResponse>> ReadAllAsync(IAsyncStreamReader<EchoResponse> stream)
    {
        using var timeout = new CancellationTokenSource(StreamTimeout);
        var responses = new List<EchoResponse>();
        while (await stream.MoveNext(timeout.Token))
        {
            responses.Add(stream.Current);
        }
        return responses;
    }

    private static string NewCallId() => "cauchy-" + Guid.NewGuid().ToString("N");
}
