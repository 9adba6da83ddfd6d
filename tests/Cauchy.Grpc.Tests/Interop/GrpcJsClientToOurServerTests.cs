using System.Text.Json;
using Cauchy.Grpc.Tests.Interop.Infrastructure;
using Xunit;

namespace Cauchy.Grpc.Tests.Interop;

/// <summary>
/// @grpc/grpc-js as the client, our server (Grpc.AspNetCore) as the server. Each test runs
/// one scenario of tests/interop-node/client.js, which checks everything the grpc-js side sees;
/// where the server's side matters too (its cancellation token, its deadline), the scenario asks
/// the server through GetCallState and the test checks our server's own records as well.
/// </summary>
[Collection(GrpcJsClientToOurServerCollection.Name)]
public sealed class GrpcJsClientToOurServerTests(InteropFixture fixture)
{
    private OurServer Server => fixture.OurServer;

    [Fact]
    public Task Unary_round_trips_message_and_payload() => PassesAsync("unary");

    [Fact]
    public Task Server_streaming_delivers_every_response_in_order_including_1_MiB_messages() => PassesAsync("server_stream");

    [Fact]
    public Task Client_streaming_delivers_every_request_including_none() => PassesAsync("client_stream");

    [Fact]
    public Task Duplex_interleaves_ping_pong_and_handles_bulk() => PassesAsync("duplex_ping_pong");

    [Fact]
    public async Task Deadline_exceeded_reaches_the_client_and_fires_the_handlers_token()
    {
        var details = await PassesAsync("deadline_exceeded");
        // The scenario saw cancelled=true through GetCallState; that value comes straight from the
        // handler's ServerCallContext.CancellationToken firing before the handler decided a status.
        Assert.True(details.GetProperty("state").GetProperty("cancelled").GetBoolean());
        Assert.True(details.GetProperty("stream_state").GetProperty("cancelled").GetBoolean());
    }

    [Fact]
    public async Task Deadline_set_by_grpc_js_arrives_in_ServerCallContext_Deadline()
    {
        var details = await PassesAsync("deadline_propagation");
        var seen = details.GetProperty("seen").EnumerateArray().ToList();
        Assert.Equal(3, seen.Count);
        // Our server also reported the raw grpc-timeout header grpc-js sent for each deadline.
        Assert.All(seen, entry => Assert.Matches("^[0-9]{1,8}[HMSmun]$", entry.GetProperty("grpc_timeout").GetString()));
    }

    [Fact]
    public Task Client_cancelling_a_server_stream_fires_the_handlers_token() => PassesAsync("cancel_server_stream");

    [Fact]
    public Task Client_cancelling_a_client_stream_fires_the_handlers_token() => PassesAsync("cancel_client_stream");

    [Fact]
    public Task Client_cancelling_a_duplex_call_fires_the_handlers_token() => PassesAsync("cancel_duplex");

    [Fact]
    public Task Status_sent_after_messages_arrives_after_them() => PassesAsync("server_status_after_messages");

    [Fact]
    public Task Server_resetting_the_stream_with_CANCEL_gives_CANCELLED() => PassesAsync("server_reset_stream");

    [Fact]
    public Task Handler_exception_gives_UNKNOWN_and_the_server_keeps_serving() => PassesAsync("server_exception");

    [Fact]
    public Task Non_ASCII_status_message_arrives_intact() => PassesAsync("status_unicode");

    [Fact]
    public Task Status_message_with_percent_signs_and_newlines_arrives_intact() => PassesAsync("status_percent_newlines");

    [Fact]
    public Task Non_ASCII_status_message_in_trailers_after_messages_arrives_intact() => PassesAsync("status_unicode_after_messages");

    [Fact]
    public Task Every_status_code_round_trips() => PassesAsync("all_status_codes");

    [Fact]
    public Task Text_and_binary_metadata_echo_in_headers_and_trailers() => PassesAsync("metadata_echo");

    [Fact]
    public Task Repeated_metadata_keys_keep_every_value_in_order() => PassesAsync("metadata_multi_value");

    [Fact]
    public Task Empty_binary_metadata_value_is_not_echoed_while_the_call_succeeds() => PassesAsync("metadata_empty_binary");

    [Fact]
    public Task Repeated_binary_metadata_key_is_refused_and_the_server_keeps_serving() => PassesAsync("metadata_multi_value_binary_refused");

    [Fact]
    public Task Trailers_travel_with_an_error_status() => PassesAsync("metadata_on_error");

    [Fact]
    public async Task Rich_status_details_reach_grpc_js_intact()
    {
        var details = await PassesAsync("status_details");
        // The google.rpc.Status our server built with Grpc.StatusProto, as grpc-js decoded it.
        Assert.Equal("type.googleapis.com/google.rpc.BadRequest", details.GetProperty("type_url").GetString());
        Assert.Equal(TestData.UnicodeStatusMessage, details.GetProperty("message").GetString());
    }

    [Fact]
    public Task Gzip_compressed_requests_are_decompressed() => PassesAsync("gzip_request");

    [Fact]
    public async Task Gzip_compressed_responses_are_understood_by_grpc_js()
    {
        var details = await GrpcJsClient.AssertScenarioPassesAsync(fixture.OurGzipServer.Address, "gzip_response");
        Assert.Equal("gzip", details.GetProperty("grpc_encoding").GetString());
    }

    [Fact]
    public async Task Request_compressed_with_an_unsupported_algorithm_gets_UNIMPLEMENTED()
    {
        var details = await PassesAsync("deflate_request_rejected");
        var acceptEncoding = details.GetProperty("grpc_accept_encoding").GetString() ?? "";
        Assert.DoesNotContain("deflate", acceptEncoding, StringComparison.Ordinal);
    }

    [Fact]
    public Task Message_at_the_4_MiB_limit_passes_one_byte_over_gives_RESOURCE_EXHAUSTED() => PassesAsync("size_limits");

    [Fact]
    public async Task Hundred_concurrent_calls_share_one_connection()
    {
        var details = await PassesAsync("concurrency_100");
        Assert.Single(details.GetProperty("peers").EnumerateArray());
        Assert.True(details.GetProperty("max_in_flight").GetInt32() >= 100);
    }

    private async Task<JsonElement> PassesAsync(string scenario)
    {
        try
        {
            return await GrpcJsClient.AssertScenarioPassesAsync(Server.Address, scenario);
        }
        catch (Exception e) when (Server.LoggedProblems.Count > 0 && e is not OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\nOur server's warnings and errors so far (earlier tests included):\n{string.Join("\n", Server.LoggedProblems.TakeLast(20))}");
        }
    }
}
