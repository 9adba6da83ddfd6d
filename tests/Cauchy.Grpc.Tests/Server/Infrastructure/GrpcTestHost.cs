using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cauchy.Grpc.Tests.Server.Infrastructure;

/// <summary>
/// A real Kestrel on 127.0.0.1 (HTTP/2 cleartext, port chosen by the OS) serving the test service, and a raw
/// HttpClient to call it with hand-built gRPC requests.
/// </summary>
public sealed class GrpcTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcTestHost(WebApplication app, TestScript script, LogCapture logs, HttpClient client, int port, int? http1Port, int? tlsPort)
    {
        _app = app;
        Script = script;
        Logs = logs;
        Client = client;
        Port = port;
        Http1Port = http1Port;
        TlsPort = tlsPort;
    }

    public TestScript Script { get; }

    public LogCapture Logs { get; }

    public HttpClient Client { get; }

    public int Port { get; }

    /// <summary>An extra cleartext endpoint that speaks HTTP/1.1 too, when asked for.</summary>
    public int? Http1Port { get; }

    public int? TlsPort { get; }

    public WebApplication App => _app;

    public static async Task<GrpcTestHost> StartAsync(GrpcTestHostOptions? options = null)
    {
        options ??= new GrpcTestHostOptions();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        var logs = new LogCapture();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
            if (options.Http1Endpoint)
            {
                kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
            }
            if (options.Certificate is { } certificate)
            {
                kestrel.Listen(IPAddress.Loopback, 0, listen =>
                {
                    listen.Protocols = HttpProtocols.Http2;
                    listen.UseHttps(certificate);
                });
            }
            options.Kestrel?.Invoke(kestrel);
        });
        if (options.ShutdownTimeout is { } shutdownTimeout)
        {
            builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = shutdownTimeout);
        }
        var script = new TestScript();
        builder.Services.AddSingleton(script);
        var grpc = options.Grpc is null ? builder.Services.AddGrpc() : builder.Services.AddGrpc(options.Grpc);
        options.GrpcBuilder?.Invoke(grpc);
        options.Services?.Invoke(builder.Services);

        var app = builder.Build();
        if (options.Map is null)
        {
            app.MapGrpcService<ScriptedTestService>();
        }
        else
        {
            options.Map(app);
        }
        await app.StartAsync();

        var ports = app.Urls.Select(url => new Uri(url)).ToArray();
        var cleartext = ports.Where(uri => uri.Scheme == "http").Select(uri => uri.Port).ToArray();
        var tls = ports.Where(uri => uri.Scheme == "https").Select(uri => (int?)uri.Port).FirstOrDefault();

        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (options.Certificate is { } trusted)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) =>
                presented is not null && presented.GetCertHashString() == trusted.GetCertHashString();
        }
        var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        return new GrpcTestHost(app, script, logs, client, cleartext[0], options.Http1Endpoint ? cleartext[1] : null, tls);
    }

    public Uri Address(string path, int? port = null, string scheme = "http") => new($"{scheme}://127.0.0.1:{port ?? Port}{path}");

    /// <summary>A gRPC request as a conforming client sends it: POST, HTTP/2 exactly, application/grpc, te: trailers.</summary>
    public HttpRequestMessage Request(string path, HttpContent content, Uri? address = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, address ?? Address(path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TE.ParseAdd("trailers");
        if (content.Headers.ContentType is null)
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        }
        return request;
    }

    public static ByteArrayContent Body(params byte[][] frames)
    {
        var content = new ByteArrayContent(GrpcFrames.Concat(frames));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        return content;
    }

    /// <summary>Sends a whole request and reads the whole response, trailers included.</summary>
    public async Task<GrpcResult> CallAsync(string path, byte[] body, Action<HttpRequestMessage>? configure = null, CancellationToken cancellationToken = default)
    {
        using var request = Request(path, Body(body));
        configure?.Invoke(request);
        return await SendAsync(request, cancellationToken);
    }

    public async Task<GrpcResult> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return GrpcResult.From(response, body);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(stopping.Token);
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }
}

public sealed class GrpcTestHostOptions
{
    public Action<GrpcServiceOptions>? Grpc { get; init; }

    public Action<IGrpcServerBuilder>? GrpcBuilder { get; init; }

    public Action<IServiceCollection>? Services { get; init; }

    /// <summary>Replaces the default mapping of <see cref="ScriptedTestService"/>.</summary>
    public Action<IEndpointRouteBuilder>? Map { get; init; }

    public bool Http1Endpoint { get; init; }

    public X509Certificate2? Certificate { get; init; }

    public Action<KestrelServerOptions>? Kestrel { get; init; }

    public TimeSpan? ShutdownTimeout { get; init; }
}
