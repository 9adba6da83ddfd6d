using System.Net;
using Cauchy.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cauchy.Grpc.Bench;

/// <summary>The services' gRPC server (Grpc.AspNetCore on Kestrel) in its own process, so it does not share a runtime with the client it is measured by.</summary>
public static class BenchServer
{
    public static async Task<int> RunAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // The HTTP/2 settings every Cauchy service runs with (ServiceHostingOptions' defaults), so the bench measures
        // the services' stack; more concurrent streams so that the 64 unary callers share one connection.
        var hosting = ServiceHostingOptions.FromConfiguration(new ConfigurationBuilder().Build(), defaultGrpcPort: 1);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Limits.Http2.InitialConnectionWindowSize = hosting.Http2ConnectionWindowBytes;
            kestrel.Limits.Http2.InitialStreamWindowSize = hosting.Http2StreamWindowBytes;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
        });
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<BenchEchoService>();
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine($"LISTENING {new Uri(address).Port}");
        // The parent closes our stdin when it is done (or dies).
        await Task.Run(() => Console.In.ReadToEnd());
        await app.StopAsync();
        return 0;
    }
}
