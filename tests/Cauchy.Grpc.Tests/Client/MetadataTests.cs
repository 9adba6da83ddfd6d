using Cauchy.Grpc.Tests.Client.Infrastructure;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Xunit;

namespace Cauchy.Grpc.Tests.Client;

public sealed class MetadataTests(RawServerFixture server) : IClassFixture<RawServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Request_CarriesTheProtocolHeaders()
    {
        using var channel = server.CreateChannel();

        var headers = ParseHeaders(await channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Headers"), null, new CallOptions(), "x").ResponseAsync.WaitAsync(Timeout));

        Assert.Equal("application/grpc", headers["content-type"]);
        Assert.Equal("trailers", headers["te"]);
        Assert.Equal("identity,gzip", headers["grpc-accept-encoding"]);
        Assert.StartsWith("grpc-csharp-cauchy/", headers["user-agent"]);
        Assert.False(headers.ContainsKey("grpc-encoding"));
    }

    [Fact]
    public async Task Request_CarriesUserMetadata_BinaryAsUnpaddedBase64_AndNeverReservedHeaders()
    {
        using var channel = server.CreateChannel();
        var metadata = new Metadata
        {
            { "x-plain", "value 1" },
            { "x-data-bin", new byte[] { 1, 2, 3, 4 } },
            // Reserved names are the transport's: a caller cannot forge them.
            { "grpc-status", "5" },
            { "content-type", "text/plain" },
            { "te", "gzip" },
            { "grpc-timeout", "1n" },
        };

        var headers = ParseHeaders(await channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Headers"), null, new CallOptions(metadata), "x").ResponseAsync.WaitAsync(Timeout));

        Assert.Equal("value 1", headers["x-plain"]);
        Assert.Equal("AQIDBA", headers["x-data-bin"]);
        Assert.False(headers.ContainsKey("grpc-status"));
        Assert.False(headers.ContainsKey("grpc-timeout"));
        Assert.Equal("application/grpc", headers["content-type"]);
        Assert.Equal("trailers", headers["te"]);
    }

    [Fact]
    public async Task Request_UserAgentFromMetadata_ReplacesTheDefault()
    {
        using var channel = server.CreateChannel();

        var headers = ParseHeaders(await channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Headers"), null, new CallOptions([new Metadata.Entry("user-agent", "my-tool/2")]), "x").ResponseAsync.WaitAsync(Timeout));

        Assert.Equal("my-tool/2", headers["user-agent"]);
    }

    [Fact]
    public async Task Interceptor_OnTheChannel_AddsHeadersToEveryCall()
    {
        using var channel = server.CreateChannel();
        var invoker = channel.Intercept(metadata =>
        {
            metadata.Add("x-intercepted", "yes");
            return metadata;
        });

        var headers = ParseHeaders(await invoker.AsyncUnaryCall(TestMethods.Unary("Headers"), null, new CallOptions(), "x").ResponseAsync.WaitAsync(Timeout));

        Assert.Equal("yes", headers["x-intercepted"]);
    }

    [Fact]
    public async Task ResponseHeaders_CompleteWhenTheHeadersArrive_BeforeAnyMessage()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("HeadersThenWait"), null, server.NewProbe(out var probe), "x");

        var headers = await call.ResponseHeadersAsync.WaitAsync(Timeout);

        Assert.Equal("v", headers.GetValue("x-h"));
        Assert.False(call.ResponseAsync.IsCompleted);
        Assert.Null(headers.Get("content-type"));
        probe.Release.SetResult();
        Assert.Equal("late", await call.ResponseAsync.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Trailers_BinaryValuesPaddedOrNot_AreDecoded()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("BinaryTrailers"), null, new CallOptions(), "x");

        Assert.Equal("ok", await call.ResponseAsync.WaitAsync(Timeout));
        var trailers = call.GetTrailers();

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, trailers.GetValueBytes("x-padded-bin"));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, trailers.GetValueBytes("x-unpadded-bin"));
        Assert.Equal("hello", trailers.GetValue("x-text"));
        Assert.Null(trailers.Get("grpc-status"));
    }

    private static Dictionary<string, string> ParseHeaders(string lines) =>
        lines.Split('\n').Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
}
