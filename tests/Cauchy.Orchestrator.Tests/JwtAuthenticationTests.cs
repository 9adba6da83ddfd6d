using Cauchy.Testing;
using Cauchy.V1;
using Grpc.Core;
using Xunit;

namespace Cauchy.Orchestrator.Tests;

/// <summary>JWTs from an organisation's OpenID Connect issuer (a small one served by the test), checked by the orchestrator process.</summary>
public sealed class JwtAuthenticationTests : IAsyncLifetime
{
    private TestIssuer _issuer = null!;
    private FakeCatalogServer _datasets = null!;
    private ServiceProcess _service = null!;

    public async Task InitializeAsync()
    {
        _issuer = await TestIssuer.StartAsync();
        _datasets = await FakeCatalogServer.StartAsync();
        var environment = OrchestratorFixture.Environment(_datasets);
        environment["CAUCHY_AUTHENTICATION__JWT__AUTHORITY"] = _issuer.Authority;
        environment["CAUCHY_AUTHENTICATION__JWT__AUDIENCE"] = "cauchy";
        environment["CAUCHY_AUTHENTICATION__JWT__REQUIREHTTPSMETADATA"] = "false";
        _service = await ServiceProcess.StartAsync("orchestrator", "Cauchy.Orchestrator", environment);
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _datasets.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    [Fact]
    public async Task A_valid_researcher_jwt_is_accepted_with_the_highest_role_it_holds()
    {
        using var channel = TestAuthentication.Channel(_service.Address, _issuer.Token("alice", ["viewer", "researcher"]));
        var me = await new V1.Auth.AuthClient(channel).WhoAmIAsync(new WhoAmIRequest(), JobsServiceTests.Deadline());
        Assert.Equal(("jwt:alice", "researcher"), (me.Principal, me.Role));

        var submitted = await new V1.Jobs.JobsClient(channel).SubmitJobAsync(
            new SubmitJobRequest { Hypes = JobsServiceTests.Hypes(JobsServiceTests.UniqueArchitecture()) }, JobsServiceTests.Deadline());
        Assert.Equal("jwt:alice", submitted.Job.Owner);

        var denied = await Assert.ThrowsAsync<RpcException>(() => new V1.Auth.AuthClient(channel).ListTokensAsync(new ListTokensRequest(), JobsServiceTests.Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }

    [Fact]
    public async Task A_jwt_for_another_audience_an_expired_one_and_one_with_a_bad_signature_are_unauthenticated()
    {
        foreach (var token in new[]
        {
            _issuer.Token("mallory", ["admin"], audience: "someone-else"),
            _issuer.Token("mallory", ["admin"], expiresIn: TimeSpan.FromMinutes(-10)),
            _issuer.Token("mallory", ["admin"], signWithAnotherKey: true),
        })
        {
            using var channel = TestAuthentication.Channel(_service.Address, token);
            var refused = await Assert.ThrowsAsync<RpcException>(() => new V1.Auth.AuthClient(channel).WhoAmIAsync(new WhoAmIRequest(), JobsServiceTests.Deadline()).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
            Assert.Equal("a valid bearer token is required", refused.Status.Detail);
        }
    }

    [Fact]
    public async Task A_jwt_without_a_platform_role_may_call_nothing()
    {
        using var channel = TestAuthentication.Channel(_service.Address, _issuer.Token("guest", ["unrelated"]));
        var refused = await Assert.ThrowsAsync<RpcException>(() => new V1.Jobs.JobsClient(channel).ListJobsAsync(new ListJobsRequest(), JobsServiceTests.Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
    }
}
