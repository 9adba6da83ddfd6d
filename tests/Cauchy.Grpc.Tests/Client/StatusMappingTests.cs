using System.Net;
using System.Net.Sockets;
using Cauchy.Grpc.Tests.Client.Infrastructure;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit;

namespace Cauchy.Grpc.Tests.Client;

/// <summary>How the client turns what the server (or the network) did into a status: trailers, HTTP errors, resets.</summary>
public sealed class StatusMappingTests(RawServerFixture server) : IClassFixture<RawServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ErrorStatusInTrailers_ThrowsRpcException_WithStatusAndTrailers()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("ErrorWithTrailers"), null, new CallOptions(), "x");

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("not here", error.Status.Detail);
        Assert.Equal("d", error.Trailers.GetValue("x-detail"));
        Assert.Equal(error.Status, call.GetStatus());
        Assert.Equal("d", call.GetTrailers().GetValue("x-detail"));
    }

    [Fact]
    public async Task ServerStreaming_ErrorStatus_IsThrownByMoveNext()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(TestMethods.ServerStreaming("ErrorWithTrailers"), null, new CallOptions(), "x");

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("d", error.Trailers.GetValue("x-detail"));
    }

    [Fact]
    public async Task TrailersOnlyResponse_StatusComesFromHeaders_AndResponseHeadersAreEmpty()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("TrailersOnly"), null, new CallOptions(), "x");

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Timeout));
        var headers = await call.ResponseHeadersAsync.WaitAsync(Timeout);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("nope", error.Status.Detail);
        Assert.Equal("t", error.Trailers.GetValue("x-trailer"));
        Assert.Empty(headers);
    }

    [Fact]
    public async Task PercentEncodedStatusMessage_IsDecoded()
    {
        using var channel = server.CreateChannel();

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("PercentMessage"), null, new CallOptions(), "x").ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("café ✓ 100% sure", error.Status.Detail);
    }

    [Fact]
    public async Task ServerSentDeadlineExceeded_IsReported()
    {
        using var channel = server.CreateChannel();

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("ServerDeadline"), null, new CallOptions(), "x").ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    [Fact]
    public async Task MissingGrpcStatus_IsUnknown()
    {
        using var channel = server.CreateChannel();

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("MissingStatus"), null, new CallOptions(), "x").ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Contains("grpc-status", error.Status.Detail);
    }

    [Fact]
    public async Task WrongContentType_IsUnknown_AndSaysWhy()
    {
        using var channel = server.CreateChannel();

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("WrongContentType"), null, new CallOptions(), "x").ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Contains("content-type", error.Status.Detail);
        Assert.Contains("text/html", error.Status.Detail);
    }

    [Theory]
    [InlineData(400, StatusCode.Internal)]
    [InlineData(401, StatusCode.Unauthenticated)]
    [InlineData(403, StatusCode.PermissionDenied)]
    [InlineData(404, StatusCode.Unimplemented)]
    [InlineData(429, StatusCode.Unavailable)]
    [InlineData(502, StatusCode.Unavailable)]
    [InlineData(503, StatusCode.Unavailable)]
    [InlineData(504, StatusCode.Unavailable)]
    [InlineData(500, StatusCode.Unknown)]
    [InlineData(418, StatusCode.Unknown)]
    public async Task HttpErrorStatus_MapsToGrpcStatus(int httpStatus, StatusCode expected)
    {
        using var channel = server.CreateChannel();
        var method = TestMethods.Unary($"Http/{httpStatus}");

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(), "x").ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(expected, error.StatusCode);
        Assert.Contains(httpStatus.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Status.Detail);
    }

    [Fact]
    public async Task UnknownMethod_ServerAnswers404_IsUnimplemented()
    {
        using var channel = server.CreateChannel();

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("NoSuchMethod"), null, new CallOptions(), "x").ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Theory]
    [InlineData("ResetBeforeHeaders/8", StatusCode.Cancelled)]     // CANCEL
    [InlineData("ResetAfterHeaders/8", StatusCode.Cancelled)]
    [InlineData("ResetAfterHeaders/7", StatusCode.Unavailable)]   // REFUSED_STREAM
    [InlineData("ResetAfterHeaders/2", StatusCode.Internal)]      // INTERNAL_ERROR
    [InlineData("ResetAfterHeaders/11", StatusCode.ResourceExhausted)] // ENHANCE_YOUR_CALM
    public async Task StreamResetByTheServer_MapsTheHttp2ErrorCode(string endpoint, StatusCode expected)
    {
        using var channel = server.CreateChannel();

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary(endpoint), null, new CallOptions(), "x").ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(expected, error.StatusCode);
    }

    [Fact]
    public async Task StreamResetDuringServerStreaming_IsThrownByMoveNext()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(TestMethods.ServerStreaming("ResetAfterHeaders/8"), null, new CallOptions(), "x");

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout));

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    [Fact]
    public async Task ConnectionRefused_IsUnavailable_AndNamesTheAddress()
    {
        var port = FreePort();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("Echo"), null, new CallOptions(), "x");

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains($"127.0.0.1:{port}", error.Status.Detail);
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseHeadersAsync);
    }

    [Fact]
    public async Task GetStatusAndGetTrailers_BeforeTheCallEnds_Throw()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(TestMethods.ServerStreaming("Hang"), null, server.NewProbe(out _), "x");

        Assert.Throws<InvalidOperationException>(() => call.GetStatus());
        Assert.Throws<InvalidOperationException>(() => call.GetTrailers());

        call.Dispose();
        Assert.Equal(StatusCode.Cancelled, call.GetStatus().StatusCode);
        Assert.Empty(call.GetTrailers());
        await Task.CompletedTask;
    }

    /// <summary>A loopback port with nothing listening on it.</summary>
    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
