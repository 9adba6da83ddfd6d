using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cauchy.Grpc.Tests.Client.Infrastructure;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Xunit;

namespace Cauchy.Grpc.Tests.Client;

/// <summary>The HTTP/2 transport under the channel: the requests it builds, its handler, connections, TLS.</summary>
public sealed class ChannelTransportTests(RawServerFixture server) : IClassFixture<RawServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Requests_AreHttp2PostsToTheMethodPath_WithExactVersionPolicy()
    {
        var recorder = new RecordingHandler(new SocketsHttpHandler());
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { HttpHandler = recorder, DisposeHttpClient = true });

        Assert.Equal("hi", await channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Echo"), null, new CallOptions(), "hi").ResponseAsync.WaitAsync(Timeout));

        var request = Assert.Single(recorder.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(HttpVersion.Version20, request.Version);
        Assert.Equal(HttpVersionPolicy.RequestVersionExact, request.VersionPolicy);
        Assert.Equal("/test.Svc/Echo", request.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task OverCleartext_TheServerSeesHttp2()
    {
        using var channel = server.CreateChannel();

        Assert.Equal("HTTP/2;http", await channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Protocol"), null, new CallOptions(), "x").ResponseAsync.WaitAsync(Timeout));
    }

    [Fact]
    public async Task OverTls_NegotiatesHttp2WithAlpn()
    {
        using var certificate = CreateSelfSignedCertificate();
        await using var tlsServer = await RawGrpcServer.StartAsync(app => app.MapPost("/test.Svc/Protocol", async context =>
        {
            await GrpcWire.ReadAllMessagesAsync(context.Request.Body);
            GrpcWire.StartResponse(context);
            await GrpcWire.WriteTextAsync(context, $"{context.Request.Protocol};{context.Request.Scheme}");
            GrpcWire.Finish(context);
        }), certificate: certificate);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                // Trust exactly the test's certificate.
                RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString(),
            },
        };
        using var channel = GrpcChannel.ForAddress(tlsServer.Address.Replace("127.0.0.1", "localhost", StringComparison.Ordinal), new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });

        Assert.StartsWith("https://", tlsServer.Address, StringComparison.Ordinal);
        Assert.Equal("HTTP/2;https", await channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Protocol"), null, new CallOptions(), "x").ResponseAsync.WaitAsync(Timeout));
    }

    [Fact]
    public void OwnHandler_IsTunedForGrpc_AndCarriesTheKeepAliveOptions()
    {
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions
        {
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
        });

        var handler = channel.OwnHandler!;

        Assert.True(handler.EnableMultipleHttp2Connections);
        Assert.Equal(System.Threading.Timeout.InfiniteTimeSpan, handler.PooledConnectionIdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), handler.KeepAlivePingDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), handler.KeepAlivePingTimeout);
        Assert.Equal(HttpKeepAlivePingPolicy.Always, handler.KeepAlivePingPolicy);
        Assert.False(handler.AllowAutoRedirect);
    }

    [Fact]
    public void OwnHandler_KeepAliveIsOffByDefault()
    {
        using var channel = server.CreateChannel();

        Assert.Equal(System.Threading.Timeout.InfiniteTimeSpan, channel.OwnHandler!.KeepAlivePingDelay);
        Assert.Equal(HttpKeepAlivePingPolicy.WithActiveRequests, channel.OwnHandler.KeepAlivePingPolicy);
    }

    [Theory]
    [InlineData(100, 1)]   // every call fits on one connection
    [InlineData(2, 3)]     // the server allows 2 streams per connection: 6 calls need 3 connections
    public async Task Connections_AreAddedOnlyWhenTheServersStreamLimitIsReached(int maxStreamsPerConnection, int expectedConnections)
    {
        var arrived = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var limited = await RawGrpcServer.StartAsync(app => app.MapPost("/test.Svc/Connection", async context =>
        {
            arrived.Enqueue(context.Connection.Id);
            // Hold every call open so they are all in flight together.
            await gate.Task;
            GrpcWire.StartResponse(context);
            await GrpcWire.WriteTextAsync(context, context.Connection.Id);
            GrpcWire.Finish(context);
        }), maxStreamsPerConnection);
        using var channel = GrpcChannel.ForAddress(limited.Address);

        var calls = Enumerable.Range(0, 6)
            .Select(_ => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Connection"), null, new CallOptions(), "x").ResponseAsync)
            .ToArray();
        var waitUntil = DateTime.UtcNow + Timeout;
        while (arrived.Count < 6)
        {
            Assert.True(DateTime.UtcNow < waitUntil, $"Only {arrived.Count} of 6 calls reached the server.");
            await Task.Delay(10);
        }
        gate.SetResult();
        var connectionIds = await Task.WhenAll(calls).WaitAsync(Timeout);

        Assert.Equal(expectedConnections, connectionIds.Distinct().Count());
    }

    [Fact]
    public async Task CallerHttpClient_IsUsedWithoutBufferingResponses_AndNotDisposedByDefault()
    {
        var recorder = new RecordingHandler(new SocketsHttpHandler());
        using var httpClient = new HttpClient(recorder);
        using (var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { HttpClient = httpClient }))
        {
            using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("HeadersThenWait"), null, server.NewProbe(out var probe), "x");

            // Headers before the body: HttpClient was asked for ResponseHeadersRead, not to buffer the whole response.
            Assert.Equal("v", (await call.ResponseHeadersAsync.WaitAsync(Timeout)).GetValue("x-h"));
            probe.Release.SetResult();
            Assert.Equal("late", await call.ResponseAsync.WaitAsync(Timeout));
        }

        // Still usable: the channel did not dispose the caller's client.
        using var second = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { HttpClient = httpClient });
        Assert.Equal("again", await second.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Echo"), null, new CallOptions(), "again").ResponseAsync.WaitAsync(Timeout));
        Assert.Equal(2, recorder.Requests.Count);
    }

    [Fact]
    public void CallerHttpClient_IsDisposedWhenAsked()
    {
        var handler = new RecordingHandler(new SocketsHttpHandler());
        var httpClient = new HttpClient(handler);
        var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { HttpClient = httpClient, DisposeHttpClient = true });

        channel.Dispose();

        Assert.True(handler.Disposed);
    }

    [Fact]
    public async Task AddressWithAPath_PrefixesTheMethodPath()
    {
        var recorder = new RecordingHandler(new SocketsHttpHandler());
        using var channel = GrpcChannel.ForAddress(server.Address + "/base/", new GrpcChannelOptions { HttpHandler = recorder, DisposeHttpClient = true });

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Echo"), null, new CallOptions(), "x").ResponseAsync.WaitAsync(Timeout));

        Assert.Equal("/base/test.Svc/Echo", Assert.Single(recorder.Requests).RequestUri!.AbsolutePath);
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public async Task HostArgument_BecomesTheAuthority()
    {
        using var channel = server.CreateChannel();

        var headers = await channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Headers"), "example.test:443", new CallOptions(), "x").ResponseAsync.WaitAsync(Timeout);

        Assert.Contains("host=example.test:443", headers.Split('\n'));
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:5000")]
    [InlineData("/relative")]
    public void ForAddress_RejectsAnythingButAbsoluteHttpOrHttps(string address) =>
        Assert.ThrowsAny<ArgumentException>(() => GrpcChannel.ForAddress(address));

    [Fact]
    public void ForAddress_RejectsHttpClientAndHandlerTogether()
    {
        using var handler = new SocketsHttpHandler();
        using var client = new HttpClient();

        Assert.Throws<ArgumentException>(() => GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { HttpClient = client, HttpHandler = handler }));
    }

    [Fact]
    public void Target_IsTheAuthority()
    {
        using var channel = server.CreateChannel();

        Assert.Equal(new Uri(server.Address).Authority, channel.Target);
    }

    private static X509Certificate2 CreateSelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        // Round-trip through PKCS#12 so the private key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), password: null);
    }

    /// <summary>Records each request on its way to the real handler.</summary>
    private sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public System.Collections.Concurrent.ConcurrentQueue<HttpRequestMessage> Requests { get; } = new();

        public bool Disposed { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Enqueue(request);
            return base.SendAsync(request, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
