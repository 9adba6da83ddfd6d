using Xunit;

namespace Cauchy.Grpc.Tests.Interop.Infrastructure;

/// <summary>
/// The servers one interop test collection shares: our server (plain, and one that gzips its
/// responses) in this process, and a grpc-js server (plus the node gzip responder) as child
/// processes. Started once per collection, stopped at its end.
/// </summary>
public sealed class InteropFixture : IAsyncLifetime
{
    private OurServer? _ourServer;
    private OurServer? _ourGzipServer;
    private NodeServerProcess? _nodeServer;
    private NodeServerProcess? _nodeGzipResponder;

    /// <summary>Our server with default options (4 MiB receive limit, no response compression).</summary>
    internal OurServer OurServer => _ourServer ?? throw NotStarted();

    /// <summary>Our server with ResponseCompressionAlgorithm = "gzip".</summary>
    internal OurServer OurGzipServer => _ourGzipServer ?? throw NotStarted();

    /// <summary>node server.js: @grpc/grpc-js with default options.</summary>
    internal NodeServerProcess NodeServer => _nodeServer ?? throw NotStarted();

    /// <summary>node server.js --compression gzip: gzips response messages (grpc-js servers never do).</summary>
    internal NodeServerProcess NodeGzipResponder => _nodeGzipResponder ?? throw NotStarted();

    public async Task InitializeAsync()
    {
        RepositoryLayout.RequireNodeModules();
        var node = NodeServerProcess.StartAsync();
        var nodeGzip = NodeServerProcess.StartAsync("--compression", "gzip");
        var ours = OurServer.StartAsync();
        var oursGzip = OurServer.StartAsync(gzipResponses: true);
        try
        {
            await Task.WhenAll(node, nodeGzip, ours, oursGzip);
        }
        catch
        {
            // Stop whatever did start, so a failed start leaves no process behind.
            await Task.WhenAll(node, nodeGzip, ours, oursGzip).ContinueWith(_ => { }, TaskScheduler.Default);
            _nodeServer = node.IsCompletedSuccessfully ? node.Result : null;
            _nodeGzipResponder = nodeGzip.IsCompletedSuccessfully ? nodeGzip.Result : null;
            _ourServer = ours.IsCompletedSuccessfully ? ours.Result : null;
            _ourGzipServer = oursGzip.IsCompletedSuccessfully ? oursGzip.Result : null;
            await DisposeAsync();
            throw;
        }
        _nodeServer = node.Result;
        _nodeGzipResponder = nodeGzip.Result;
        _ourServer = ours.Result;
        _ourGzipServer = oursGzip.Result;
    }

    public async Task DisposeAsync()
    {
        var servers = new IAsyncDisposable?[] { _ourServer, _ourGzipServer, _nodeServer, _nodeGzipResponder };
        _ourServer = _ourGzipServer = null;
        _nodeServer = _nodeGzipResponder = null;
        foreach (var server in servers)
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
    }

    private static InvalidOperationException NotStarted() => new("The interop fixture did not start.");
}

/// <summary>grpc-js clients (tests/interop-node/client.js) calling our server.</summary>
[CollectionDefinition(Name)]
public sealed class GrpcJsClientToOurServerCollection : ICollectionFixture<InteropFixture>
{
    public const string Name = "Interop: grpc-js client to our server";
}

/// <summary>Our client (GrpcChannel) calling grpc-js servers.</summary>
[CollectionDefinition(Name)]
public sealed class OurClientToGrpcJsServerCollection : ICollectionFixture<InteropFixture>
{
    public const string Name = "Interop: our client to grpc-js server";
}

/// <summary>Hand-built HTTP/2 requests against our server: malformed, hostile or vanishing clients.</summary>
[CollectionDefinition(Name)]
public sealed class OurServerRobustnessCollection : ICollectionFixture<InteropFixture>
{
    public const string Name = "Interop: our server against raw HTTP/2 clients";
}
