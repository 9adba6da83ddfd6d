using System.Net;
using Cauchy.Platform.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit;

namespace Cauchy.Platform.Tests.Platform;

/// <summary>
/// The HTTP port of every service (gRPC port + 1000): /healthz for probes and /metrics in Prometheus text format,
/// where every gRPC call is counted per method and status code (one call per service with a known answer: a
/// lookup of something missing, NOT_FOUND, or the trainer's status, OK).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class HttpEndpointTests(PlatformFixture fixture)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Theory]
    [MemberData(nameof(PlatformService.Names), MemberType = typeof(PlatformService))]
    public async Task Healthz_Answers200(string name)
    {
        var service = PlatformService.Named(name);

        using var response = await Http.GetAsync(fixture.Platform.HttpUri(service, "/healthz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(ProbeRpc.ServiceNames), MemberType = typeof(ProbeRpc))]
    public async Task Metrics_CountTheCallUnderItsMethodAndCode(string name)
    {
        var service = PlatformService.Named(name);
        var rpc = ProbeRpc.For(service);
        var before = HandledWithCode(await ScrapeAsync(service), service, rpc);

        await CallExpectingItsAnswerAsync(service, rpc);

        var after = await ScrapeUntilAsync(service, current => HandledWithCode(current, service, rpc) > before);

        var handled = after.Where(s => s.Name == "grpc_server_handled_total").Select(s => s.Line).ToList();
        Assert.True(
            HandledWithCode(after, service, rpc) == before + 1,
            $"/metrics of {service.Name} must count the call as grpc_server_handled_total{{grpc_service=\"{service.GrpcService}\",grpc_method=\"{rpc.Method}\",grpc_code=\"{rpc.CodeLabel}\"}} "
            + $"(was {before} before the call); its grpc_server_handled_total lines:\n{string.Join('\n', handled)}");
    }

    [Theory]
    [MemberData(nameof(ProbeRpc.ServiceNames), MemberType = typeof(ProbeRpc))]
    public async Task Metrics_TimeTheCallInTheHandlingSecondsHistogram(string name)
    {
        var service = PlatformService.Named(name);
        var rpc = ProbeRpc.For(service);

        await CallExpectingItsAnswerAsync(service, rpc);

        var samples = await ScrapeUntilAsync(service, current => HandlingCount(current, service, rpc) >= 1);

        var histogram = samples.Where(s => s.Name.StartsWith("grpc_server_handling_seconds", StringComparison.Ordinal)).Select(s => s.Line).ToList();
        Assert.True(
            HandlingCount(samples, service, rpc) >= 1,
            $"/metrics of {service.Name} must time {service.GrpcService}/{rpc.Method} in grpc_server_handling_seconds; its lines:\n{string.Join('\n', histogram)}");
        Assert.Contains(samples, s => s.Name == "grpc_server_handling_seconds_bucket" && IsCall(s, service, rpc) && s.Label("le") == "+Inf");
    }

    private async Task<IReadOnlyList<PrometheusSample>> ScrapeAsync(PlatformService service)
    {
        using var response = await Http.GetAsync(fixture.Platform.HttpUri(service, "/metrics"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return PrometheusTextParser.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>Scrapes until the condition holds or two seconds passed: a server may count a call just after the client saw its status.</summary>
    private async Task<IReadOnlyList<PrometheusSample>> ScrapeUntilAsync(PlatformService service, Func<IReadOnlyList<PrometheusSample>, bool> condition)
    {
        var samples = await ScrapeAsync(service);
        for (var attempt = 0; attempt < 20 && !condition(samples); attempt++)
        {
            await Task.Delay(100);
            samples = await ScrapeAsync(service);
        }

        return samples;
    }

    private async Task CallExpectingItsAnswerAsync(PlatformService service, ProbeRpc rpc)
    {
        using var channel = fixture.Platform.Channel(service);
        var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10));
        if (rpc.Expected == StatusCode.OK)
        {
            await rpc.Invoke(channel, options);
            return;
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => rpc.Invoke(channel, options));
        Assert.Equal(rpc.Expected, error.StatusCode);
    }

    private static bool IsCall(PrometheusSample sample, PlatformService service, ProbeRpc rpc) =>
        sample.Label("grpc_service") == service.GrpcService && sample.Label("grpc_method") == rpc.Method;

    private static double HandledWithCode(IEnumerable<PrometheusSample> samples, PlatformService service, ProbeRpc rpc) =>
        samples
            .Where(s => s.Name == "grpc_server_handled_total" && IsCall(s, service, rpc)
                && string.Equals(s.Label("grpc_code"), rpc.CodeLabel, StringComparison.OrdinalIgnoreCase))
            .Sum(s => s.Value);

    private static double HandlingCount(IEnumerable<PrometheusSample> samples, PlatformService service, ProbeRpc rpc) =>
        samples.Where(s => s.Name == "grpc_server_handling_seconds_count" && IsCall(s, service, rpc)).Sum(s => s.Value);
}
