using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Prometheus;
using Xunit;

namespace Cauchy.ServiceDefaults.Tests.Hosting;

[Collection(HostingCollection.Name)]
public sealed class ServiceEndpointsTests
{
    private const string GrpcLikePath = "/cauchy.test.v1.Echo/Ping";

    private static void MapEcho(WebApplication app) => app.MapPost(GrpcLikePath, () => Results.Text("pong"));

    [Fact]
    public async Task Healthz_and_metrics_are_served_on_the_http_port()
    {
        await using var service = await TestService.StartAsync();
        service.App.Services.GetRequiredService<IMetricFactory>()
            .CreateCounter("cauchy_tests_hosting_requests_total", "Requests seen by the hosting test.", ["route"])
            .WithLabels("echo").Inc(7);
        using var client = new HttpClient();

        using var health = await client.SendAsync(TestService.Get($"http://127.0.0.1:{service.HttpPort}/healthz"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", await health.Content.ReadAsStringAsync());

        // The HTTP port speaks HTTP/1.1; a client that offers HTTP/2 "or lower" (Prometheus, kubelet, curl) gets it.
        var h2OrLower = TestService.Get($"http://127.0.0.1:{service.HttpPort}/healthz", HttpVersion.Version20);
        h2OrLower.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        using var negotiated = await client.SendAsync(h2OrLower);
        Assert.Equal("ok", await negotiated.Content.ReadAsStringAsync());

        using var metrics = await client.SendAsync(TestService.Get($"http://127.0.0.1:{service.HttpPort}/metrics"));
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", metrics.Content.Headers.ContentType?.ToString());
        var body = await metrics.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE cauchy_tests_hosting_requests_total counter\n", body, StringComparison.Ordinal);
        Assert.Contains("cauchy_tests_hosting_requests_total{route=\"echo\"} 7\n", body, StringComparison.Ordinal);
        Assert.Contains("# TYPE dotnet_collection_count_total counter\n", body, StringComparison.Ordinal);
        Assert.Contains("# TYPE process_cpu_seconds_total counter\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_grpc_port_speaks_only_http2_and_serves_only_service_endpoints()
    {
        await using var service = await TestService.StartAsync(configureApp: MapEcho);
        using var client = new HttpClient();

        using var onGrpcPort = await client.SendAsync(TestService.Request(HttpMethod.Post, $"http://127.0.0.1:{service.GrpcPort}{GrpcLikePath}", HttpVersion.Version20));
        Assert.Equal(HttpStatusCode.OK, onGrpcPort.StatusCode);
        Assert.Equal("pong", await onGrpcPort.Content.ReadAsStringAsync());

        using var onHttpPort = await client.SendAsync(TestService.Request(HttpMethod.Post, $"http://127.0.0.1:{service.HttpPort}{GrpcLikePath}", HttpVersion.Version11));
        Assert.Equal(HttpStatusCode.NotFound, onHttpPort.StatusCode);

        foreach (var path in new[] { "/metrics", "/healthz" })
        {
            using var wrongPort = await client.SendAsync(TestService.Get($"http://127.0.0.1:{service.GrpcPort}{path}", HttpVersion.Version20));
            Assert.Equal(HttpStatusCode.NotFound, wrongPort.StatusCode);
        }

        using var http1OnGrpcPort = await client.SendAsync(TestService.Request(HttpMethod.Post, $"http://127.0.0.1:{service.GrpcPort}{GrpcLikePath}", HttpVersion.Version11));
        Assert.Equal(HttpStatusCode.BadRequest, http1OnGrpcPort.StatusCode); // Kestrel: "HTTP/1.x request sent to an HTTP/2 only endpoint"
        Assert.NotEqual("pong", await http1OnGrpcPort.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_endpoint_marked_RequireHttpPort_moves_to_the_http_port()
    {
        await using var service = await TestService.StartAsync(configureApp: app => app.MapGet("/debug/info", () => "info").RequireHttpPort());
        using var client = new HttpClient();

        using var onHttpPort = await client.SendAsync(TestService.Get($"http://127.0.0.1:{service.HttpPort}/debug/info"));
        using var onGrpcPort = await client.SendAsync(TestService.Get($"http://127.0.0.1:{service.GrpcPort}/debug/info", HttpVersion.Version20));

        Assert.Equal("info", await onHttpPort.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, onGrpcPort.StatusCode);
    }

    [Theory]
    [InlineData(HealthStatus.Degraded, HttpStatusCode.OK, "degraded")]
    [InlineData(HealthStatus.Unhealthy, HttpStatusCode.ServiceUnavailable, "unhealthy")]
    public async Task Healthz_reports_failing_checks(HealthStatus status, HttpStatusCode expectedCode, string expectedBody)
    {
        await using var service = await TestService.StartAsync(configureBuilder: builder =>
            builder.Services.AddHealthChecks().AddCheck("database", () => new HealthCheckResult(status, "db at 10.0.0.5 unreachable")));
        using var client = new HttpClient();

        using var response = await client.SendAsync(TestService.Get($"http://127.0.0.1:{service.HttpPort}/healthz"));

        Assert.Equal(expectedCode, response.StatusCode);
        Assert.Equal(expectedBody, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("pem")]
    [InlineData("pem-encrypted-key")]
    [InlineData("pem-combined")]
    [InlineData("pfx")]
    public async Task The_grpc_port_speaks_tls_when_a_certificate_is_configured(string layout)
    {
        var directory = Directory.CreateTempSubdirectory("cauchy-tls-");
        try
        {
            using var certificate = TestCertificates.CreateSelfSigned(out var key);
            using (key)
            {
                var settings = TestCertificates.Write(directory.FullName, layout, certificate, key);
                await using var service = await TestService.StartAsync(settings, configureApp: MapEcho);
                X509Certificate2? presented = null;
                using var handler = new SocketsHttpHandler();
                handler.SslOptions.RemoteCertificateValidationCallback = (_, serverCertificate, _, _) =>
                {
                    presented = serverCertificate is null ? null : new X509Certificate2(serverCertificate);
                    return presented?.Thumbprint == certificate.Thumbprint;
                };
                using var client = new HttpClient(handler);

                using var response = await client.SendAsync(TestService.Request(HttpMethod.Post, $"https://127.0.0.1:{service.GrpcPort}{GrpcLikePath}", HttpVersion.Version20));

                Assert.Equal(HttpVersion.Version20, response.Version);
                Assert.Equal("pong", await response.Content.ReadAsStringAsync());
                Assert.Equal(certificate.Thumbprint, presented?.Thumbprint);
                presented?.Dispose();

                using var plainHttp = await client.SendAsync(TestService.Get($"http://127.0.0.1:{service.HttpPort}/healthz"));
                Assert.Equal("ok", await plainHttp.Content.ReadAsStringAsync());
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_missing_certificate_file_stops_start_up_with_the_setting_named()
    {
        var settings = new Dictionary<string, string?> { ["Grpc:Tls:CertificatePath"] = "/nonexistent/cauchy/server.crt" };

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => TestService.StartAsync(settings));

        Assert.Contains("Grpc:Tls:CertificatePath", failure.ToString(), StringComparison.Ordinal);
    }
}
