using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Cauchy.Storage.Tests;

public sealed class S3TransientErrorsTests
{
    private static S3RequestException ServiceError(HttpStatusCode status, string code) =>
        new("injected", status, code.Length == 0 ? null : code, "bucket");

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, "InternalError")]
    [InlineData(HttpStatusCode.BadGateway, "")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "SlowDown")]
    [InlineData(HttpStatusCode.GatewayTimeout, "")]
    [InlineData(HttpStatusCode.TooManyRequests, "")]
    public void Server_errors_and_throttling_are_transient(HttpStatusCode status, string code) =>
        Assert.True(S3TransientErrors.IsTransient(ServiceError(status, code)));

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData(HttpStatusCode.Forbidden, "AccessDenied")]
    [InlineData(HttpStatusCode.NotFound, "NoSuchKey")]
    [InlineData(HttpStatusCode.Conflict, "BucketAlreadyExists")]
    [InlineData(HttpStatusCode.RequestedRangeNotSatisfiable, "InvalidRange")]
    public void Client_errors_are_not_transient(HttpStatusCode status, string code) =>
        Assert.False(S3TransientErrors.IsTransient(ServiceError(status, code)));

    [Fact]
    public void Connection_failures_are_transient_even_when_wrapped()
    {
        Assert.True(S3TransientErrors.IsTransient(new HttpRequestException("reset")));
        Assert.True(S3TransientErrors.IsTransient(new SocketException((int)SocketError.ConnectionRefused)));
        Assert.True(S3TransientErrors.IsTransient(new Minio.Exceptions.ConnectionException("wrapped", new IOException("broken pipe"))));
    }

    [Fact]
    public void Programming_errors_are_not_transient()
    {
        Assert.False(S3TransientErrors.IsTransient(new ArgumentException("bad key")));
        Assert.False(S3TransientErrors.IsTransient(new ObjectNotFoundException("k")));
        Assert.False(S3TransientErrors.IsTransient(new InvalidOperationException("bug")));
    }
}
