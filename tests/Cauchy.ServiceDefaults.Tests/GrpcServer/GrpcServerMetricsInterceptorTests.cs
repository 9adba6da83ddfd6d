using Cauchy.ServiceDefaults.GrpcServer;
using Cauchy.ServiceDefaults.Tests.Telemetry;
using Grpc.Core;
using Prometheus;
using Xunit;

namespace Cauchy.ServiceDefaults.Tests.GrpcServer;

public sealed class GrpcServerMetricsInterceptorTests
{
    private const string Method = "/cauchy.v1.Datasets/GetDataset";
    private const string Labels = "grpc_method=\"GetDataset\",grpc_service=\"cauchy.v1.Datasets\"";

    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly GrpcServerMetricsInterceptor _interceptor;

    public GrpcServerMetricsInterceptorTests() => _interceptor = new GrpcServerMetricsInterceptor(new GrpcServerMetrics(Metrics.WithCustomRegistry(_registry)));

    private Task<string> ScrapeAsync() => RegistryText.ExportAsync(_registry);

    [Fact]
    public async Task A_successful_unary_call_is_started_handled_OK_timed_and_counts_one_message_each_way()
    {
        var response = await _interceptor.UnaryServerHandler("request", new FakeServerCallContext(Method), static (request, _) => Task.FromResult(request + "!"));

        Assert.Equal("request!", response);
        var text = await ScrapeAsync();
        Assert.Contains("# TYPE grpc_server_handled_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains($"grpc_server_handled_total{{grpc_code=\"OK\",{Labels},grpc_type=\"unary\"}} 1\n", text, StringComparison.Ordinal);
        Assert.Contains($"grpc_server_started_total{{{Labels},grpc_type=\"unary\"}} 1\n", text, StringComparison.Ordinal);
        Assert.Contains($"grpc_server_msg_received_total{{{Labels},grpc_type=\"unary\"}} 1\n", text, StringComparison.Ordinal);
        Assert.Contains($"grpc_server_msg_sent_total{{{Labels},grpc_type=\"unary\"}} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE grpc_server_handling_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains($"grpc_server_handling_seconds_bucket{{{Labels},grpc_type=\"unary\",le=\"0.001\"}} ", text, StringComparison.Ordinal);
        Assert.Contains($"grpc_server_handling_seconds_bucket{{{Labels},grpc_type=\"unary\",le=\"120\"}} 1\n", text, StringComparison.Ordinal);
        Assert.Contains($"grpc_server_handling_seconds_count{{{Labels},grpc_type=\"unary\"}} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handling_time_covers_the_handler()
    {
        await _interceptor.UnaryServerHandler("r", new FakeServerCallContext(Method), static async (request, _) =>
        {
            await Task.Delay(60);
            return request;
        });

        var samples = ExpositionParser.Samples(await ScrapeAsync());
        Assert.InRange(samples[$"grpc_server_handling_seconds_sum{{{Labels},grpc_type=\"unary\"}}"], 0.055, 30);
        Assert.Equal(0, samples[$"grpc_server_handling_seconds_bucket{{{Labels},grpc_type=\"unary\",le=\"0.05\"}}"]);
        Assert.Equal(1, samples[$"grpc_server_handling_seconds_bucket{{{Labels},grpc_type=\"unary\",le=\"+Inf\"}}"]);
    }

    public static TheoryData<Exception, string> Failures() => new()
    {
        { new RpcException(new Status(StatusCode.NotFound, "dataset 7 does not exist")), "NotFound" },
        { new RpcException(new Status(StatusCode.Cancelled, "")), "Canceled" },
        { new RpcException(new Status(StatusCode.Unavailable, "")), "Unavailable" },
        { new InvalidOperationException("bug"), "Unknown" },
        { new OperationCanceledException(), "Unknown" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_failed_call_is_handled_with_the_code_the_client_sees_and_the_exception_passes_through(Exception failure, string expectedCode)
    {
        var thrown = await Assert.ThrowsAnyAsync<Exception>(() =>
            _interceptor.UnaryServerHandler<string, string>("r", new FakeServerCallContext(Method), (_, _) => throw failure));

        Assert.Same(failure, thrown);
        Assert.Contains($"grpc_server_handled_total{{grpc_code=\"{expectedCode}\",{Labels},grpc_type=\"unary\"}} 1\n", await ScrapeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_call_whose_token_fired_is_cancelled_or_past_its_deadline()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAsync<OperationCanceledException>(() => _interceptor.UnaryServerHandler<string, string>(
            "r", new FakeServerCallContext(Method, cancellationToken: cancelled.Token), (_, context) => throw new OperationCanceledException(context.CancellationToken)));
        await Assert.ThrowsAsync<IOException>(() => _interceptor.UnaryServerHandler<string, string>(
            "r", new FakeServerCallContext(Method, DateTime.UtcNow.AddSeconds(-1), cancelled.Token), (_, _) => throw new IOException("stream reset")));

        var text = await ScrapeAsync();
        Assert.Contains($"grpc_server_handled_total{{grpc_code=\"Canceled\",{Labels},grpc_type=\"unary\"}} 1\n", text, StringComparison.Ordinal);
        Assert.Contains($"grpc_server_handled_total{{grpc_code=\"DeadlineExceeded\",{Labels},grpc_type=\"unary\"}} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_status_set_on_the_context_is_the_code_of_a_normal_return()
    {
        await _interceptor.ServerStreamingServerHandler<string, string>("r", new ListStreamWriter<string>(), new FakeServerCallContext(Method), static (_, _, context) =>
        {
            context.Status = new Status(StatusCode.PermissionDenied, "not yours");
            return Task.CompletedTask;
        });

        Assert.Contains($"grpc_server_handled_total{{grpc_code=\"PermissionDenied\",{Labels},grpc_type=\"server_stream\"}} 1\n", await ScrapeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streaming_calls_have_their_type_and_count_every_message()
    {
        var writer = new ListStreamWriter<string>();
        await _interceptor.ServerStreamingServerHandler("r", writer, new FakeServerCallContext("/cauchy.v1.Jobs/WatchJob"), static async (_, stream, _) =>
        {
            for (var i = 0; i < 3; i++)
            {
                await stream.WriteAsync("event " + i);
            }
        });
        var total = await _interceptor.ClientStreamingServerHandler(new ListStreamReader<string>("a", "b"), new FakeServerCallContext("/cauchy.v1.Datasets/UploadShard"), static async (stream, _) =>
        {
            var count = 0;
            while (await stream.MoveNext(CancellationToken.None))
            {
                count++;
            }

            return count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
        var echoed = new ListStreamWriter<string>();
        await _interceptor.DuplexStreamingServerHandler(new ListStreamReader<string>("x", "y", "z", "w"), echoed, new FakeServerCallContext("/cauchy.v1.Trainer/Chat"), static async (input, output, _) =>
        {
            while (await input.MoveNext(CancellationToken.None))
            {
                await output.WriteAsync(input.Current, CancellationToken.None);
            }
        });

        Assert.Equal(["event 0", "event 1", "event 2"], writer.Written);
        Assert.Equal("2", total);
        Assert.Equal(["x", "y", "z", "w"], echoed.Written);
        var samples = ExpositionParser.Samples(await ScrapeAsync());
        Assert.Equal(3, samples["grpc_server_msg_sent_total{grpc_method=\"WatchJob\",grpc_service=\"cauchy.v1.Jobs\",grpc_type=\"server_stream\"}"]);
        Assert.Equal(1, samples["grpc_server_msg_received_total{grpc_method=\"WatchJob\",grpc_service=\"cauchy.v1.Jobs\",grpc_type=\"server_stream\"}"]);
        Assert.Equal(2, samples["grpc_server_msg_received_total{grpc_method=\"UploadShard\",grpc_service=\"cauchy.v1.Datasets\",grpc_type=\"client_stream\"}"]);
        Assert.Equal(1, samples["grpc_server_msg_sent_total{grpc_method=\"UploadShard\",grpc_service=\"cauchy.v1.Datasets\",grpc_type=\"client_stream\"}"]);
        Assert.Equal(4, samples["grpc_server_msg_received_total{grpc_method=\"Chat\",grpc_service=\"cauchy.v1.Trainer\",grpc_type=\"bidi_stream\"}"]);
        Assert.Equal(4, samples["grpc_server_msg_sent_total{grpc_method=\"Chat\",grpc_service=\"cauchy.v1.Trainer\",grpc_type=\"bidi_stream\"}"]);
        Assert.Equal(1, samples["grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Chat\",grpc_service=\"cauchy.v1.Trainer\",grpc_type=\"bidi_stream\"}"]);
    }

    [Theory]
    [InlineData(StatusCode.OK, "OK")]
    [InlineData(StatusCode.Cancelled, "Canceled")]
    [InlineData(StatusCode.DeadlineExceeded, "DeadlineExceeded")]
    [InlineData(StatusCode.ResourceExhausted, "ResourceExhausted")]
    [InlineData(StatusCode.Unauthenticated, "Unauthenticated")]
    [InlineData((StatusCode)42, "Code(42)")]
    public void Status_codes_are_named_as_go_grpc_prometheus_names_them(StatusCode code, string expected) =>
        Assert.Equal(expected, GrpcStatusNames.Of(code));
}
