using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration.Memory;

namespace Cauchy.ServiceDefaults.Tests.Hosting;

/// <summary>A web app built the way a service's Program.cs builds it, started on free loopback ports.</summary>
public sealed class TestService : IAsyncDisposable
{
    private TestService(WebApplication app, int grpcPort, int httpPort)
    {
        App = app;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
    }

    public WebApplication App { get; }

    public int GrpcPort { get; }

    public int HttpPort { get; }

    public static WebApplicationBuilder CreateBuilder(IDictionary<string, string?> settings, string[]? args = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        // These tests are about hosting, not authentication (the probe service is not in the permission table):
        // authentication is off unless a test's settings say otherwise.
        var all = new Dictionary<string, string?>(settings);
        all.TryAdd("Authentication:Mode", "none");
        // First in line, as appsettings.json is: environment variables and the command line override it.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = all });
        return builder;
    }

    public static async Task<TestService> StartAsync(
        IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configureBuilder = null,
        Action<WebApplication>? configureApp = null)
    {
        var grpcPort = TestPorts.Free();
        var httpPort = TestPorts.Free();
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Http:Port"] = httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var builder = CreateBuilder(all);
        builder.AddServiceDefaults("test", grpcPort);
        configureBuilder?.Invoke(builder);
        var app = builder.Build();
        configureApp?.Invoke(app);
        app.MapDefaultEndpoints();
        await app.StartAsync();
        return new TestService(app, grpcPort, httpPort);
    }

    /// <summary>A request that insists on the HTTP version (h2c prior knowledge for 2.0 over http://).</summary>
    public static HttpRequestMessage Request(HttpMethod method, string url, Version version) => new(method, url)
    {
        Version = version,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    public static HttpRequestMessage Get(string url, Version? version = null) => Request(HttpMethod.Get, url, version ?? HttpVersion.Version11);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
