using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Cauchy.ServiceDefaults.Security;
using Cauchy.ServiceDefaults.Tests.Hosting;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Cauchy.ServiceDefaults.Tests.Security;

/// <summary>The interceptor and /metrics in a service built as every Cauchy service is, with authentication on.</summary>
public sealed class AuthorizationInterceptorTests
{
    private const string Secret = "the-services-shared-secret-for-these-tests";

    private static readonly string ServiceBearer = ServiceCredential.Create(Encoding.UTF8.GetBytes(Secret), "trainer");

    [Fact]
    public async Task A_method_missing_from_the_table_is_refused_even_to_a_valid_caller()
    {
        await using var service = await StartAsync(metricsRequireToken: false);
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{service.GrpcPort}");
        var probe = new ProbeClient(channel.CreateCallInvoker());

        var refused = await Assert.ThrowsAsync<RpcException>(() => probe.GetPingAsync("hi", new CallOptions(new Metadata { { "authorization", "Bearer " + ServiceBearer } })).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Contains("no entry in the permission table", refused.Status.Detail, StringComparison.Ordinal);

        var anonymous = await Assert.ThrowsAsync<RpcException>(() => probe.GetPingAsync("hi").ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, anonymous.StatusCode);
    }

    [Fact]
    public async Task Metrics_stay_open_by_default()
    {
        await using var service = await StartAsync(metricsRequireToken: false);
        using var client = new HttpClient();
        var response = await client.GetAsync(new Uri($"http://127.0.0.1:{service.HttpPort}/metrics"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task With_MetricsRequireToken_metrics_need_a_valid_credential()
    {
        await using var service = await StartAsync(metricsRequireToken: true);
        using var client = new HttpClient();
        var url = new Uri($"http://127.0.0.1:{service.HttpPort}/metrics");

        var anonymous = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var forged = new HttpRequestMessage(HttpMethod.Get, url);
        forged.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ServiceCredential.Create(Encoding.UTF8.GetBytes("another-secret-that-is-long-enough-too"), "prometheus"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(forged)).StatusCode);

        using var valid = new HttpRequestMessage(HttpMethod.Get, url);
        valid.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ServiceBearer);
        var scraped = await client.SendAsync(valid);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("process_", await scraped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static Task<TestService> StartAsync(bool metricsRequireToken) => TestService.StartAsync(
        new Dictionary<string, string?>
        {
            ["Authentication:Mode"] = "tokens",
            ["Authentication:ServiceSecret"] = Secret,
            ["Authentication:MetricsRequireToken"] = metricsRequireToken ? "true" : "false",
        },
        configureBuilder: builder => builder.Services.AddSingleton<ProbeService>(),
        configureApp: app => app.MapGrpcService<ProbeService>());
}
