using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cauchy.Testing;

/// <summary>
/// A gRPC server for a test's stand-in peer: our runtime on Kestrel, HTTP/2 only, on a free loopback port, without
/// logging or the working directory's settings. The address is <c>app.Urls.First()</c>; stop and dispose the app.
/// </summary>
public static class LoopbackGrpcServer
{
    /// <param name="services">Registers what the services need (a script, a table) besides gRPC itself.</param>
    /// <param name="map">Maps the gRPC services (<c>app.MapGrpcService&lt;T&gt;()</c>).</param>
    public static async Task<WebApplication> StartAsync(Action<IServiceCollection> services, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        services(builder.Services);
        WebApplication app = builder.Build();
        map(app);
        await app.StartAsync();
        return app;
    }
}
