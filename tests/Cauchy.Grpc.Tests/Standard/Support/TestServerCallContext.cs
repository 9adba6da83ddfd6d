using Grpc.Core;

namespace Cauchy.Grpc.Tests.Standard.Support;

/// <summary>
/// A server call context for calling service classes directly: the tests of our own health and
/// reflection logic need a cancellation token and nothing from a transport.
/// </summary>
internal sealed class TestServerCallContext(string method, CancellationToken cancellationToken = default) : ServerCallContext
{
    private readonly Metadata _requestHeaders = [];
    private readonly Metadata _responseTrailers = [];
    private Status _status = Status.DefaultSuccess;
    private WriteOptions? _writeOptions;

    protected override string MethodCore => method;

    protected override string HostCore => "localhost";

    protected override string PeerCore => "test:in-process";

    protected override DateTime DeadlineCore => DateTime.MaxValue;

    protected override Metadata RequestHeadersCore => _requestHeaders;

    protected override CancellationToken CancellationTokenCore => cancellationToken;

    protected override Metadata ResponseTrailersCore => _responseTrailers;

    protected override Status StatusCore
    {
        get => _status;
        set => _status = value;
    }

    protected override WriteOptions? WriteOptionsCore
    {
        get => _writeOptions;
        set => _writeOptions = value;
    }

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
