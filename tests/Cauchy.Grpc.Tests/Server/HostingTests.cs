using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cauchy.Grpc.Tests.Server.Infrastructure;
using Grpc.Core;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Xunit;

namespace Cauchy.Grpc.Tests.Server;

/// <summary>What the server gets from Kestrel and the host: graceful shutdown, keepalive pings, TLS with ALPN h2.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task Shutdown_lets_a_call_in_flight_finish_and_does_not_cancel_it_early()
    {
        var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions { ShutdownTimeout = TimeSpan.FromSeconds(10) });
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Script.ServerStream = async (_, stream, context) =>
        {
            await stream.WriteAsync("started");
            started.SetResult();
            await release.Task;
            host.Script.Record("token cancelled at release=" + context.CancellationToken.IsCancellationRequested);
            await stream.WriteAsync("finished");
        };
        using var request = host.Request("/cauchy.test.Tests/ServerStream", GrpcTestHost.Body(GrpcFrames.Frame("x")));
        var call = host.SendAsync(request);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var stopping = host.App.StopAsync();
        await Task.Delay(300);
        Assert.False(stopping.IsCompleted);
        release.SetResult();
        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
        await host.DisposeAsync();

        Assert.Equal(StatusCode.OK, result.Status);
        Assert.Equal(["started", "finished"], result.Texts);
        Assert.Contains("token cancelled at release=False", host.Script.RecordedEvents());
    }

    [Fact]
    public async Task Shutdown_cancels_handlers_still_running_when_the_shutdown_timeout_expires()
    {
        var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions { ShutdownTimeout = TimeSpan.FromSeconds(1) });
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelledAfter = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopwatch = new Stopwatch();
        host.Script.ServerStream = async (_, stream, context) =>
        {
            await stream.WriteAsync("started");
            started.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                cancelledAfter.SetResult(stopwatch.Elapsed);
                throw;
            }
        };
        using var request = host.Request("/cauchy.test.Tests/ServerStream", GrpcTestHost.Body(GrpcFrames.Frame("x")));
        var call = host.SendAsync(request);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        stopwatch.Start();
        await host.App.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var elapsed = await cancelledAfter.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Record.ExceptionAsync(() => call);
        await host.DisposeAsync();

        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Keepalive_pings_idle_connections_and_closes_those_that_do_not_answer()
    {
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions
        {
            Kestrel = kestrel => kestrel.UseGrpcKeepAlive(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)),
        });
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, host.Port);
        await using var stream = new NetworkStream(socket);
        // Client preface and an empty SETTINGS frame; after that this client never answers anything.
        await stream.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        await stream.WriteAsync(new byte[] { 0, 0, 0, 0x4, 0, 0, 0, 0, 0 });
        var stopwatch = Stopwatch.StartNew();

        var frameTypes = new List<byte>();
        var header = new byte[9];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (await stream.ReadAtLeastAsync(header, 9, throwOnEndOfStream: false, timeout.Token) == 9)
        {
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            await stream.ReadExactlyAsync(new byte[length], timeout.Token);
            frameTypes.Add(header[3]);
            if (header[3] == 0x7)
            {
                break;
            }
        }
        stopwatch.Stop();

        const byte ping = 0x6;
        const byte goAway = 0x7;
        Assert.Contains(ping, frameTypes);
        // The read loop ended on GOAWAY or on the server closing the socket.
        Assert.True(frameTypes[^1] == goAway || socket.Available == 0);
        // Closed (GOAWAY or EOF) after the delay plus the timeout, not before.
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(12));
    }

    [Fact]
    public void Keepalive_extension_sets_kestrels_http2_limits_and_rejects_nonsense()
    {
        var options = new KestrelServerOptions();

        options.UseGrpcKeepAlive(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(5));

        Assert.Equal(TimeSpan.FromSeconds(20), options.Limits.Http2.KeepAlivePingDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Limits.Http2.KeepAlivePingTimeout);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.UseGrpcKeepAlive(TimeSpan.Zero, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Tls_with_alpn_h2_and_a_self_signed_certificate_serves_grpc()
    {
        using var certificate = CreateSelfSignedCertificate();
        await using var host = await GrpcTestHost.StartAsync(new GrpcTestHostOptions { Certificate = certificate });
        using var request = host.Request("/cauchy.test.Tests/Unary", GrpcTestHost.Body(GrpcFrames.Frame("secure")),
            host.Address("/cauchy.test.Tests/Unary", host.TlsPort, "https"));

        var result = await host.SendAsync(request);

        Assert.Equal(StatusCode.OK, result.Status);
        Assert.Equal(["echo:secure"], result.Texts);
    }

    private static X509Certificate2 CreateSelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        // A PKCS#12 round trip gives a certificate whose private key every TLS backend can use.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
    }
}
