using Cauchy.Grpc.Tests.Interop.Infrastructure;
using Xunit;

namespace Cauchy.Grpc.Tests.Interop;

/// <summary>
/// The grpc-js harness against itself (client.js → server.js): proves that every scenario's
/// expectations hold between two grpc-js peers, so a scenario that fails against our server
/// points at our runtime rather than at the harness — and that a scenario can fail at all.
/// </summary>
[Collection(OurClientToGrpcJsServerCollection.Name)]
public sealed class NodeHarnessSelfCheckTests(InteropFixture fixture)
{
    [Fact]
    public async Task Every_general_scenario_passes_between_grpc_js_client_and_grpc_js_server()
    {
        var results = await GrpcJsClient.RunAsync(fixture.NodeServer.Address, "all");

        Assert.True(results.Count >= 20, $"only {results.Count} scenarios ran");
        var failures = results.Where(r => !r.Ok).Select(r => $"{r.Scenario}: {r.Error}").ToList();
        Assert.True(failures.Count == 0, "grpc-js against grpc-js failed:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task Gzip_response_scenario_passes_against_the_node_gzip_responder() =>
        await GrpcJsClient.AssertScenarioPassesAsync(fixture.NodeGzipResponder.Address, "gzip_response");

    [Fact]
    public async Task Gzip_response_scenario_fails_against_a_server_that_does_not_compress()
    {
        var result = Assert.Single(await GrpcJsClient.RunAsync(fixture.NodeServer.Address, "gzip_response"));

        Assert.False(result.Ok);
        Assert.Contains("grpc-encoding", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deflate_rejection_scenario_fails_against_a_server_that_supports_deflate()
    {
        var result = Assert.Single(await GrpcJsClient.RunAsync(fixture.NodeServer.Address, "deflate_request_rejected"));

        Assert.False(result.Ok);
        Assert.Contains("expected UNIMPLEMENTED, got OK", result.Error, StringComparison.Ordinal);
    }
}
