using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Cauchy.Grpc.Tests.Client.Infrastructure;

/// <summary>
/// A bare Kestrel server on 127.0.0.1 (HTTP/2 only) whose endpoints speak the gRPC wire format by hand, so the
/// client can be tested without our server transport, including against responses no real server would send.
/// </summary>
public sealed class RawGrpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RawGrpcServer(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    public string Address { get; }

    public static async Task<RawGrpcServer> StartAsync(Action<WebApplication> mapEndpoints, int maxStreamsPerConnection = 100, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.Http2.MaxStreamsPerConnection = maxStreamsPerConnection;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        var app = builder.Build();
        mapEndpoints(app);
        await app.StartAsync();
        return new RawGrpcServer(app, app.Urls.Single());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
