using Cauchy.Testing;
using Cauchy.V1;
using Grpc.Core;
using Xunit;

namespace Cauchy.Orchestrator.Tests;

/// <summary>
/// The orchestrator with authentication on, as make up runs it: a bootstrap admin token in a file, platform tokens
/// made through Auth, job owners, and the audit log.
/// </summary>
public sealed class AuthorizationTests : IAsyncLifetime
{
    private readonly string _dataRoot = TempDirectory.Create("cauchy-orchestrator-auth");
    private FakeCatalogServer _datasets = null!;
    private ServiceProcess _service = null!;

    private string TokenFile => Path.Combine(_dataRoot, "admin.token");

    public async Task InitializeAsync()
    {
        _datasets = await FakeCatalogServer.StartAsync();
        _service = await StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _datasets.DisposeAsync();
        TempDirectory.Delete(_dataRoot);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_bootstrap_token_is_written_once_readable_by_its_owner_only_and_is_an_admin()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(TokenFile));
        var admin = File.ReadAllText(TokenFile).Trim();
        var me = await Auth(admin).WhoAmIAsync(new WhoAmIRequest(), JobsServiceTests.Deadline());
        Assert.Equal(("token:bootstrap-admin", "admin"), (me.Principal, me.Role));
        Assert.DoesNotContain(admin, _service.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bootstrap_token_file_made_elsewhere_is_registered_at_start_up()
    {
        await _service.DisposeAsync();
        var mounted = "cauchy_" + new string('k', 43);
        File.Delete(TokenFile);
        File.WriteAllText(TokenFile, mounted + "\n");
        _service = await StartAsync();

        var me = await Auth(mounted).WhoAmIAsync(new WhoAmIRequest(), JobsServiceTests.Deadline());
        Assert.Equal("admin", me.Role);
        Assert.Equal(mounted + "\n", File.ReadAllText(TokenFile));
    }

    [Fact]
    public async Task A_researcher_cannot_cancel_another_researchers_job_but_a_maintainer_can()
    {
        var admin = File.ReadAllText(TokenFile).Trim();
        var alice = await CreateAsync(admin, "alice", "researcher");
        var bob = await CreateAsync(admin, "bob", "researcher");
        var maintainer = await CreateAsync(admin, "ops", "maintainer");

        var aliceJob = (await Jobs(alice).SubmitJobAsync(new SubmitJobRequest { Hypes = JobsServiceTests.Hypes(JobsServiceTests.UniqueArchitecture()) }, JobsServiceTests.Deadline())).Job;
        Assert.Equal("token:alice", aliceJob.Owner);

        var refused = await Assert.ThrowsAsync<RpcException>(() => Jobs(bob).CancelJobAsync(new CancelJobRequest { JobId = aliceJob.Id }, JobsServiceTests.Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal(JobState.Queued, (await Jobs(alice).GetJobAsync(new GetJobRequest { JobId = aliceJob.Id }, JobsServiceTests.Deadline())).Job.State);

        var cancelled = (await Jobs(maintainer).CancelJobAsync(new CancelJobRequest { JobId = aliceJob.Id }, JobsServiceTests.Deadline())).Job;
        Assert.Equal(JobState.Cancelled, cancelled.State);

        var bobJob = (await Jobs(bob).SubmitJobAsync(new SubmitJobRequest { Hypes = JobsServiceTests.Hypes(JobsServiceTests.UniqueArchitecture()) }, JobsServiceTests.Deadline())).Job;
        Assert.Equal(JobState.Cancelled, (await Jobs(bob).CancelJobAsync(new CancelJobRequest { JobId = bobJob.Id }, JobsServiceTests.Deadline())).Job.State);

        await Task.Delay(300);
        var output = _service.Output;
        Assert.Contains("audit principal=token:bob role=researcher method=/cauchy.v1.Jobs/CancelJob outcome=PermissionDenied", output, StringComparison.Ordinal);
        Assert.Contains("audit principal=token:ops role=maintainer method=/cauchy.v1.Jobs/CancelJob outcome=OK", output, StringComparison.Ordinal);
        foreach (var secret in new[] { admin, alice, bob, maintainer })
        {
            Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Token_management_is_for_admins_only_and_a_bad_role_is_named()
    {
        var admin = File.ReadAllText(TokenFile).Trim();
        var maintainer = await CreateAsync(admin, "not-admin", "maintainer");
        var denied = await Assert.ThrowsAsync<RpcException>(() => Auth(maintainer).ListTokensAsync(new ListTokensRequest(), JobsServiceTests.Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal("role maintainer may not call /cauchy.v1.Auth/ListTokens", denied.Status.Detail);

        var bad = await Assert.ThrowsAsync<RpcException>(() => Auth(admin).CreateTokenAsync(new CreateTokenRequest { Name = "x", Role = "root" }, JobsServiceTests.Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Contains("role", bad.Status.Detail, StringComparison.Ordinal);

        var introspect = await Assert.ThrowsAsync<RpcException>(() => Auth(admin).IntrospectTokenAsync(new IntrospectTokenRequest { Secret = maintainer }, JobsServiceTests.Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, introspect.StatusCode);
        var answer = await new V1.Auth.AuthClient(TestAuthentication.ServiceChannel(_service.Address, "registry"))
            .IntrospectTokenAsync(new IntrospectTokenRequest { Secret = maintainer }, JobsServiceTests.Deadline());
        Assert.Equal((true, "token:not-admin", "maintainer"), (answer.Active, answer.Principal, answer.Role));
    }

    [Fact]
    public async Task With_authentication_off_the_service_warns_at_start_and_lets_anyone_call()
    {
        var environment = OrchestratorFixture.Environment(_datasets);
        environment[TestAuthentication.Off.Key] = TestAuthentication.Off.Value;
        await using var open = await ServiceProcess.StartAsync("orchestrator", "Cauchy.Orchestrator", environment);
        Assert.Contains("Authentication is OFF (Authentication:Mode=none): every caller may do everything", open.Output, StringComparison.Ordinal);
        Assert.Contains(" warn: ", open.Output.Split('\n').Single(l => l.Contains("Authentication is OFF", StringComparison.Ordinal)), StringComparison.Ordinal);

        using var anonymous = TestAuthentication.Channel(open.Address, credential: null);
        var me = await new V1.Auth.AuthClient(anonymous).WhoAmIAsync(new WhoAmIRequest(), JobsServiceTests.Deadline());
        Assert.Equal("anonymous", me.Principal);
    }

    private Task<ServiceProcess> StartAsync()
    {
        var environment = OrchestratorFixture.Environment(_datasets);
        environment["CAUCHY_AUTHENTICATION__BOOTSTRAPTOKENFILE"] = TokenFile;
        return ServiceProcess.StartAsync("orchestrator", "Cauchy.Orchestrator", environment, _dataRoot);
    }

    private async Task<string> CreateAsync(string admin, string name, string role) =>
        (await Auth(admin).CreateTokenAsync(new CreateTokenRequest { Name = name, Role = role }, JobsServiceTests.Deadline())).Secret;

    private V1.Auth.AuthClient Auth(string token) => new(TestAuthentication.Channel(_service.Address, token));

    private V1.Jobs.JobsClient Jobs(string token) => new(TestAuthentication.Channel(_service.Address, token));
}
