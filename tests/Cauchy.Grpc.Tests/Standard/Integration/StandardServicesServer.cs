using System.Net;
using Cauchy.ServiceDefaults.Hosting;
using Grpc.AspNetCore.HealthChecks;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cauchy.Grpc.Tests.Standard.Integration;

/// <summary>
/// A real server, wired the way every Cauchy service is (AddGrpcHealthAndReflection,
/// MapGrpcHealthAndReflection), on Kestrel at 127.0.0.1 with a free port,
/// HTTP/2 cleartext. Serves the Probe service, whose status follows one switchable dependency.
/// </summary>
internal sealed class StandardServicesServer : IAsyncDisposable
{
    public const string ProbeDependency = "probe-store";

    private readonly WebApplication _app;
    private volatile bool _dependencyHealthy = true;
    private bool _stopped;

    private StandardServicesServer(WebApplication app) => _app = app;

    /// <summary>"http://127.0.0.1:PORT".</summary>
    public string Address { get; private set; } = "";

    /// <summary>"127.0.0.1:PORT", the form grpc tools take.</summary>
    public string HostAndPort => new Uri(Address).Authority;

    /// <summary>Whether the Probe service's dependency passes its health check.</summary>
    public bool DependencyHealthy
    {
        get => _dependencyHealthy;
        set => _dependencyHealthy = value;
    }

    public static async Task<StandardServicesServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        // Long enough that a Watch left open would visibly hold the shutdown test up.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(30));

        StandardServicesServer? server = null;
        builder.Services.AddGrpc();
        builder.Services
            .AddGrpcHealthAndReflection()
            .AddCheck(
                ProbeDependency,
                () => server!.DependencyHealthy ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("switched off by the test"),
                tags: ["probe"]);
        builder.Services.Configure<GrpcHealthChecksOptions>(options =>
            options.Services.Map("cauchy.probe.v1.Probe", check => check.Tags.Contains("probe")));
        builder.Services.Configure<HealthCheckPublisherOptions>(publisher =>
        {
            publisher.Delay = TimeSpan.FromMilliseconds(10);
            publisher.Period = TimeSpan.FromSeconds(1);
        });

        var app = builder.Build();
        app.MapGrpcService<ProbeService>();
        app.MapGrpcHealthAndReflection();

        server = new StandardServicesServer(app);
        await app.StartAsync();
        server.Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return server;
    }

    public GrpcChannel CreateChannel() => GrpcChannel.ForAddress(Address);

    public IServiceProvider Services => _app.Services;

    /// <summary>Stops the server the way Kubernetes does (SIGTERM → graceful stop).</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
