using System.Globalization;
using Cauchy.ServiceDefaults.GrpcClient;
using Cauchy.ServiceDefaults.Tests.Telemetry;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Polly.CircuitBreaker;
using Xunit;

namespace Cauchy.ServiceDefaults.Tests.Hosting;

/// <summary>The real gRPC server and client: server metrics, health, typed clients, retries and the breaker over HTTP/2.</summary>
[Collection(HostingCollection.Name)]
public sealed class GrpcDefaultsIntegrationTests
{
    private const string Probe = "grpc_method=\"{0}\",grpc_service=\"cauchy.test.v1.Probe\",grpc_type=\"{1}\"";

    public static Task<TestService> StartProbeServiceAsync() => TestService.StartAsync(
        configureBuilder: builder => builder.Services.AddSingleton<ProbeService>(),
        configureApp: app => app.MapGrpcService<ProbeService>());

    public static GrpcServiceClientFactory ClientFactory(string address, Dictionary<string, string?>? resilience = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Services:Probe:Address"] = address,
            ["Resilience:Retry:BaseDelayMilliseconds"] = "1",
            ["Resilience:Retry:MaxDelayMilliseconds"] = "10",
        };
        foreach (var (key, value) in resilience ?? [])
        {
            settings[key] = value;
        }

        return new GrpcServiceClientFactory(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
    }

    [Fact]
    public async Task Request_messages_over_Grpc_MaxReceiveMessageBytes_get_RESOURCE_EXHAUSTED_and_the_limit_is_configurable()
    {
        await using var service = await TestService.StartAsync(
            settings: new Dictionary<string, string?> { ["Grpc:MaxReceiveMessageBytes"] = "2048" },
            configureBuilder: builder => builder.Services.AddSingleton<ProbeService>(),
            configureApp: app => app.MapGrpcService<ProbeService>());
        using var clients = ClientFactory($"http://127.0.0.1:{service.GrpcPort}");
        var probe = clients.CreateClient<ProbeClient>("Probe");

        var fits = await probe.GetPingAsync(new string('a', 1000));
        var tooLarge = await Assert.ThrowsAsync<RpcException>(async () => await probe.GetPingAsync(new string('a', 4000)));

        Assert.Equal("pong " + new string('a', 1000), fits);
        Assert.Equal(StatusCode.ResourceExhausted, tooLarge.StatusCode);
        Assert.Equal("pong after", await probe.GetPingAsync("after"));
    }

    [Fact]
    public async Task Calls_through_a_typed_client_are_retried_when_idempotent_and_measured_by_the_server()
    {
        await using var service = await StartProbeServiceAsync();
        using var clients = ClientFactory($"http://127.0.0.1:{service.GrpcPort}");
        var probe = clients.CreateClient<ProbeClient>("Probe");
        var health = clients.CreateClient<Health.HealthClient>("Probe");

        Assert.Equal("pong 1", await probe.GetPingAsync("1"));
        Assert.Equal("ready 2", await probe.GetFlakyAsync("2"));
        var submit = await Assert.ThrowsAsync<RpcException>(async () => await probe.SubmitFlakyAsync("3"));
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await probe.GetMissingAsync("4"));
        using var ticks = probe.WatchTicks("3");
        var received = new List<string>();
        while (await ticks.ResponseStream.MoveNext(CancellationToken.None))
        {
            received.Add(ticks.ResponseStream.Current);
        }

        var serving = await health.CheckAsync(new HealthCheckRequest { Service = ProbeContract.ServiceName });

        Assert.Equal(StatusCode.Unavailable, submit.StatusCode);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal(["tick 1", "tick 2", "tick 3"], received);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, serving.Status);
        var probeService = service.App.Services.GetRequiredService<ProbeService>();
        Assert.Equal(3, probeService.FlakyGets);
        Assert.Equal(1, probeService.FlakySubmits);

        using var http = new HttpClient();
        var samples = ExpositionParser.Samples(await http.GetStringAsync($"http://127.0.0.1:{service.HttpPort}/metrics"));
        double Handled(string code, string method, string type = "unary") =>
            samples[$"grpc_server_handled_total{{grpc_code=\"{code}\"," + string.Format(CultureInfo.InvariantCulture, Probe, method, type) + "}"];
        Assert.Equal(1, Handled("OK", "GetPing"));
        Assert.Equal(2, Handled("Unavailable", "GetFlaky"));
        Assert.Equal(1, Handled("OK", "GetFlaky"));
        Assert.Equal(1, Handled("Unavailable", "SubmitFlaky"));
        Assert.Equal(1, Handled("NotFound", "GetMissing"));
        Assert.Equal(1, Handled("OK", "WatchTicks", "server_stream"));
        Assert.Equal(3, samples["grpc_server_msg_sent_total{" + string.Format(CultureInfo.InvariantCulture, Probe, "WatchTicks", "server_stream") + "}"]);
        Assert.Equal(3, samples["grpc_server_handling_seconds_count{" + string.Format(CultureInfo.InvariantCulture, Probe, "GetFlaky", "unary") + "}"]);
        Assert.Equal(1, samples["grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Check\",grpc_service=\"grpc.health.v1.Health\",grpc_type=\"unary\"}"]);
    }

    [Fact]
    public async Task Two_services_in_one_process_each_serve_only_their_own_calls_on_metrics()
    {
        await using var called = await StartProbeServiceAsync();
        await using var idle = await StartProbeServiceAsync();
        using (var clients = ClientFactory($"http://127.0.0.1:{called.GrpcPort}"))
        {
            Assert.Equal("pong x", await clients.CreateClient<ProbeClient>("Probe").GetPingAsync("x"));
        }

        using var http = new HttpClient();
        var calledSamples = ExpositionParser.Samples(await http.GetStringAsync($"http://127.0.0.1:{called.HttpPort}/metrics"));
        var idleText = await http.GetStringAsync($"http://127.0.0.1:{idle.HttpPort}/metrics");

        Assert.Equal(1, calledSamples["grpc_server_handled_total{grpc_code=\"OK\"," + string.Format(CultureInfo.InvariantCulture, Probe, "GetPing", "unary") + "}"]);
        Assert.DoesNotContain("GetPing", idleText, StringComparison.Ordinal);
        Assert.Contains("# TYPE process_cpu_seconds_total counter\n", idleText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_service_opens_the_circuit_and_later_calls_fail_fast()
    {
        var nobodyListens = TestPorts.Free();
        using var clients = ClientFactory($"http://127.0.0.1:{nobodyListens}", new()
        {
            ["Resilience:Retry:MaxRetries"] = "0",
            ["Resilience:CircuitBreaker:MinimumThroughput"] = "2",
        });
        var probe = clients.CreateClient<ProbeClient>("Probe");

        for (var i = 0; i < 2; i++)
        {
            var failure = await Assert.ThrowsAsync<RpcException>(async () => await probe.GetPingAsync("x"));
            Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        }

        Assert.Equal(CircuitState.Open, clients.GetResilience("Probe").CircuitState);
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await probe.GetPingAsync("x"));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("circuit", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_service_without_a_configured_address_is_named_in_the_error()
    {
        using var clients = new GrpcServiceClientFactory(new ConfigurationBuilder().Build());

        var failure = Assert.Throws<InvalidOperationException>(() => clients.CreateClient<ProbeClient>("Registry"));

        Assert.Contains("Services:Registry:Address", failure.Message, StringComparison.Ordinal);
        Assert.Contains("CAUCHY_SERVICES__REGISTRY__ADDRESS", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddGrpcServiceClient_registers_a_typed_client_from_configuration()
    {
        await using var service = await StartProbeServiceAsync();
        var builder = TestService.CreateBuilder(new Dictionary<string, string?> { ["Services:Probe:Address"] = $"http://127.0.0.1:{service.GrpcPort}" });
        builder.Services.AddGrpcServiceClient<ProbeClient>("Probe");
        await using var provider = builder.Services.BuildServiceProvider();

        var probe = provider.GetRequiredService<ProbeClient>();

        Assert.Equal("pong di", await probe.GetPingAsync("di"));
        Assert.Same(probe, provider.GetRequiredService<ProbeClient>());
    }
}
