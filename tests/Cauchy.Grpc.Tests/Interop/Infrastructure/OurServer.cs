using System.Collections.Concurrent;
using System.Net;
using Grpc.Net.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cauchy.Grpc.Tests.Interop.Infrastructure;

/// <summary>
/// Our gRPC server (Grpc.AspNetCore on Kestrel, HTTP/2 cleartext) in this process, on a
/// free loopback port, serving <see cref="InteropEchoService"/>. Warnings and errors it logs are
/// kept so a failing test can show them.
/// </summary>
internal sealed class OurServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly LogCapture _log;

    private OurServer(WebApplication app, LogCapture log, int port)
    {
        _app = app;
        _log = log;
        Port = port;
        Registry = app.Services.GetRequiredService<CallRegistry>();
    }

    public int Port { get; }

    /// <summary>host:port, as grpc-js and client.js take it.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>The address our GrpcChannel takes.</summary>
    public string HttpAddress => $"http://127.0.0.1:{Port}";

    public CallRegistry Registry { get; }

    /// <summary>Warnings and errors the server logged so far.</summary>
    public IReadOnlyCollection<string> LoggedProblems => _log.Entries;

    public static async Task<OurServer> StartAsync(bool gzipResponses = false)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        var log = new LogCapture();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(log);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(options =>
        {
            // gzip only (Grpc.AspNetCore also offers deflate), so the suite can check how an unsupported request
            // encoding is refused.
            options.CompressionProviders = [new GzipCompressionProvider(System.IO.Compression.CompressionLevel.Fastest)];
            if (gzipResponses)
            {
                options.ResponseCompressionAlgorithm = "gzip";
            }
        });
        builder.Services.AddSingleton<CallRegistry>();
        builder.Services.AddHttpContextAccessor();

        var app = builder.Build();
        app.MapGrpcService<InteropEchoService>();
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no address.");
        return new OurServer(app, log, new Uri(address).Port);
    }

    public async ValueTask DisposeAsync()
    {
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

    private sealed class LogCapture : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _entries = new();

        public IReadOnlyCollection<string> Entries => _entries.ToArray();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(LogCapture owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel) && owner._entries.Count < 1000)
                {
                    owner._entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " — " + exception.GetType().Name + ": " + exception.Message)}");
                }
            }
        }
    }
}
