using System.Diagnostics;
using Cauchy.Platform.Tests.Infrastructure;
using Cauchy.Platform.Tests.Node;
using Cauchy.Platform.Tests.Platform;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Xunit;

namespace Cauchy.Platform.Tests.Security;

/// <summary>
/// Authentication and authorization on the platform `make up` starts, with its defaults: every RPC needs a credential,
/// roles are enforced by the one permission table, tokens are managed through Auth, and nothing secret is logged.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class AuthenticationTests(PlatformFixture fixture)
{
    private static readonly PlatformService Orchestrator = PlatformService.Named("orchestrator");
    private static readonly PlatformService Datasets = PlatformService.Named("datasets");
    private static readonly PlatformService Registry = PlatformService.Named("registry");
    private static readonly PlatformService Trainer = PlatformService.Named("trainer");

    private static readonly ModelVersionRef AnyVersion = new() { ModelName = "any", Version = 1 };

    private ScriptedPlatform Platform => fixture.Platform;

    public static TheoryData<string> Methods
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var method in ContractMethod.All)
            {
                data.Add(method.FullName);
            }

            return data;
        }
    }

    public static TheoryData<string> MethodsAboveViewer
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var method in ContractMethod.All.Where(static m => !IsViewerMethod(m.FullName)))
            {
                data.Add(method.FullName);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task Every_rpc_without_a_credential_is_unauthenticated(string name)
    {
        var method = ContractMethod.All.Single(m => m.FullName == name);
        using var channel = Platform.Channel(method.Service, credential: null);
        Assert.Equal(StatusCode.Unauthenticated, await method.CallAsync(channel.CreateCallInvoker()));
    }

    [Theory]
    [MemberData(nameof(MethodsAboveViewer))]
    public async Task A_viewer_token_is_refused_every_rpc_above_viewer(string name)
    {
        var method = ContractMethod.All.Single(m => m.FullName == name);
        var viewer = await CreateTokenAsync("table-viewer", "viewer");
        using var channel = Platform.Channel(method.Service, viewer);
        Assert.Equal(StatusCode.PermissionDenied, await method.CallAsync(channel.CreateCallInvoker()));
    }

    [Fact]
    public async Task A_viewer_token_reads_in_every_service()
    {
        var viewer = await CreateTokenAsync("reader", "viewer");
        using var datasets = Platform.Channel(Datasets, viewer);
        using var registry = Platform.Channel(Registry, viewer);
        using var trainer = Platform.Channel(Trainer, viewer);
        using var orchestrator = Platform.Channel(Orchestrator, viewer);
        await new V1.Datasets.DatasetsClient(datasets).ListDatasetsAsync(new ListDatasetsRequest(), deadline: Deadline());
        await new Models.ModelsClient(registry).ListModelsAsync(new ListModelsRequest(), deadline: Deadline());
        await new V1.Trainer.TrainerClient(trainer).GetStatusAsync(new GetStatusRequest(), deadline: Deadline());
        var me = await new Auth.AuthClient(orchestrator).WhoAmIAsync(new WhoAmIRequest(), deadline: Deadline());
        Assert.Equal(("token:reader", "viewer"), (me.Principal, me.Role));
    }

    [Fact]
    public async Task Health_and_reflection_stay_open_without_a_credential()
    {
        foreach (var service in PlatformService.All)
        {
            var health = (await NodeProbe.CheckHealthAsync(Platform.GrpcAddress(service), ""))[""];
            Assert.True(health is { Code: 0, Status: "SERVING" }, $"{service.Name}: {health}");
            var reflection = await NodeProbe.ReflectAsync(Platform.GrpcAddress(service), "v1", service.GrpcService);
            Assert.Contains(service.GrpcService, reflection.ListServices.Services ?? []);
        }
    }

    [Fact]
    public async Task An_anonymous_client_can_no_longer_promote_archive_delete_drain_or_download()
    {
        using var registry = Platform.Channel(Registry, credential: null);
        using var datasets = Platform.Channel(Datasets, credential: null);
        using var trainer = Platform.Channel(Trainer, credential: null);
        var models = new Models.ModelsClient(registry);

        var promote = await Assert.ThrowsAsync<RpcException>(() => models.TransitionStageAsync(
            new TransitionStageRequest { ModelVersion = AnyVersion, TargetStage = ModelStage.Production }, deadline: Deadline()).ResponseAsync);
        var archive = await Assert.ThrowsAsync<RpcException>(() => models.TransitionStageAsync(
            new TransitionStageRequest { ModelVersion = AnyVersion, TargetStage = ModelStage.Archived }, deadline: Deadline()).ResponseAsync);
        var deleteVersion = await Assert.ThrowsAsync<RpcException>(() => models.DeleteModelVersionAsync(
            new DeleteModelVersionRequest { ModelVersion = AnyVersion }, deadline: Deadline()).ResponseAsync);
        var deleteDataset = await Assert.ThrowsAsync<RpcException>(() => new V1.Datasets.DatasetsClient(datasets).DeleteDatasetAsync(
            new DeleteDatasetRequest { DatasetId = "any" }, deadline: Deadline()).ResponseAsync);
        var drain = await Assert.ThrowsAsync<RpcException>(() => new V1.Trainer.TrainerClient(trainer).DrainAsync(
            new DrainRequest(), deadline: Deadline()).ResponseAsync);
        var download = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = models.DownloadArtifact(new DownloadArtifactRequest { ModelVersion = AnyVersion, Kind = ArtifactKind.Weights }, deadline: Deadline());
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });

        foreach (var refused in new[] { promote, archive, deleteVersion, deleteDataset, drain, download })
        {
            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
            Assert.Equal("a valid bearer token is required", refused.Status.Detail);
        }

        // The trainer still leases: the drain did not happen.
        using var admin = Platform.Channel(Trainer);
        var status = await new V1.Trainer.TrainerClient(admin).GetStatusAsync(new GetStatusRequest(), deadline: Deadline());
        Assert.False(status.Status.Draining);
    }

    [Fact]
    public async Task A_token_is_listed_without_its_secret_and_once_revoked_is_refused_by_the_orchestrator_at_once_and_elsewhere_within_the_cache_time()
    {
        using var admin = Platform.Channel(Orchestrator);
        var auth = new Auth.AuthClient(admin);
        var created = await auth.CreateTokenAsync(new CreateTokenRequest { Name = "soon-revoked", Role = "researcher" }, deadline: Deadline());
        Assert.StartsWith("cauchy_", created.Secret, StringComparison.Ordinal);

        var listed = (await auth.ListTokensAsync(new ListTokensRequest(), deadline: Deadline())).Tokens.Single(t => t.TokenId == created.Token.TokenId);
        Assert.Equal(("soon-revoked", "researcher", "token:bootstrap-admin"), (listed.Name, listed.Role, listed.CreatedBy));
        Assert.DoesNotContain(created.Secret, listed.ToString(), StringComparison.Ordinal);

        using var asResearcherOnDatasets = Platform.Channel(Datasets, created.Secret);
        using var asResearcherOnOrchestrator = Platform.Channel(Orchestrator, created.Secret);
        var datasets = new V1.Datasets.DatasetsClient(asResearcherOnDatasets);
        await datasets.ListDatasetsAsync(new ListDatasetsRequest(), deadline: Deadline());
        await new Auth.AuthClient(asResearcherOnOrchestrator).WhoAmIAsync(new WhoAmIRequest(), deadline: Deadline());

        var revoked = await auth.RevokeTokenAsync(new RevokeTokenRequest { TokenId = created.Token.TokenId }, deadline: Deadline());
        Assert.NotNull(revoked.Token.RevokeTime);
        var atOnce = await Assert.ThrowsAsync<RpcException>(() => new Auth.AuthClient(asResearcherOnOrchestrator).WhoAmIAsync(new WhoAmIRequest(), deadline: Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, atOnce.StatusCode);

        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await datasets.ListDatasetsAsync(new ListDatasetsRequest(), deadline: Deadline());
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated)
            {
                break;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(ScriptedPlatform.IntrospectionCacheSeconds + 3), "the datasets service still accepts the revoked token after the cache time");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task An_expired_token_is_refused_in_the_orchestrator_and_in_another_service()
    {
        using var admin = Platform.Channel(Orchestrator);
        var created = await new Auth.AuthClient(admin).CreateTokenAsync(
            new CreateTokenRequest { Name = "short-lived", Role = "viewer", ExpiresIn = Duration.FromTimeSpan(TimeSpan.FromSeconds(2)) }, deadline: Deadline());
        using var registry = Platform.Channel(Registry, created.Secret);
        using var orchestrator = Platform.Channel(Orchestrator, created.Secret);
        await new Models.ModelsClient(registry).ListModelsAsync(new ListModelsRequest(), deadline: Deadline());

        await Task.Delay(TimeSpan.FromSeconds(3));
        var inRegistry = await Assert.ThrowsAsync<RpcException>(() => new Models.ModelsClient(registry).ListModelsAsync(new ListModelsRequest(), deadline: Deadline()).ResponseAsync);
        var inOrchestrator = await Assert.ThrowsAsync<RpcException>(() => new Jobs.JobsClient(orchestrator).ListJobsAsync(new ListJobsRequest(), deadline: Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, inRegistry.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, inOrchestrator.StatusCode);
    }

    [Fact]
    public async Task A_service_credential_signed_with_another_secret_is_refused()
    {
        var forged = "cauchy-svc.trainer." + Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes("not-the-platform-secret-but-long-enough"), System.Text.Encoding.UTF8.GetBytes("trainer")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        using var orchestrator = Platform.Channel(Orchestrator, forged);
        var refused = await Assert.ThrowsAsync<RpcException>(() => new Jobs.JobsClient(orchestrator).LeaseJobAsync(
            new LeaseJobRequest { WorkerId = "impostor" }, deadline: Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public async Task Mutating_calls_and_refusals_are_audited_and_no_secret_reaches_any_log()
    {
        var secret = await CreateTokenAsync("audited", "researcher");
        using (var asResearcher = Platform.Channel(Registry, secret))
        {
            await Assert.ThrowsAsync<RpcException>(() => new Models.ModelsClient(asResearcher).DeleteModelVersionAsync(
                new DeleteModelVersionRequest { ModelVersion = new ModelVersionRef { ModelName = "audited-model", Version = 1 } }, deadline: Deadline()).ResponseAsync);
        }

        await Task.Delay(500);
        var orchestratorLog = File.ReadAllText(Platform.LogFile(Orchestrator));
        var registryLog = File.ReadAllText(Platform.LogFile(Registry));
        Assert.Contains("audit principal=token:bootstrap-admin role=admin method=/cauchy.v1.Auth/CreateToken outcome=OK", orchestratorLog, StringComparison.Ordinal);
        Assert.Contains("audit principal=token:audited role=researcher method=/cauchy.v1.Models/DeleteModelVersion outcome=PermissionDenied", registryLog, StringComparison.Ordinal);
        // The trainer's routine calls (it polls LeaseJob all the time) are audited at Debug, below the default level.
        Assert.DoesNotContain("role=service method=/cauchy.v1.Jobs/LeaseJob outcome=OK", orchestratorLog, StringComparison.Ordinal);

        var secrets = new[] { secret, Platform.AdminToken, File.ReadAllText(Path.Combine(Platform.RunDirectory, "service.secret")).Trim() };
        foreach (var service in PlatformService.All)
        {
            var log = File.ReadAllText(Platform.LogFile(service));
            foreach (var s in secrets)
            {
                Assert.DoesNotContain(s, log, StringComparison.Ordinal);
            }

            Assert.DoesNotContain("cauchy-svc.", log, StringComparison.Ordinal);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_run_folder_holds_the_secrets_readable_by_their_owner_only()
    {
        foreach (var file in new[] { "admin.token", "service.secret" })
        {
            var mode = File.GetUnixFileMode(Path.Combine(Platform.RunDirectory, file));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        }
    }

    [Fact]
    public async Task The_cli_finds_the_admin_token_in_the_run_folder_and_says_where_it_looked_when_it_has_none()
    {
        var environment = new Dictionary<string, string>(Platform.Environment);
        var found = await Cli(environment, "auth", "whoami");
        Assert.True(found.ExitCode == 0, found.Describe());
        Assert.Contains("token:bootstrap-admin (admin)", found.StandardOutput, StringComparison.Ordinal);

        var empty = Directory.CreateTempSubdirectory("cauchy-no-token-").FullName;
        try
        {
            environment["CAUCHY_RUN_DIR"] = empty;
            environment["CAUCHY_JOBS_ADDRESS"] = Platform.GrpcUri(Orchestrator).ToString();
            var none = await Cli(environment, "jobs", "list");
            Assert.Equal(1, none.ExitCode);
            Assert.Contains("UNAUTHENTICATED", none.StandardError, StringComparison.Ordinal);
            Assert.Contains("CAUCHY_TOKEN", none.StandardError, StringComparison.Ordinal);
            Assert.Contains(Path.Combine(empty, "admin.token"), none.StandardError, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public async Task The_cli_creates_lists_and_revokes_tokens_and_prints_a_secret_only_once()
    {
        var environment = new Dictionary<string, string>(Platform.Environment);
        var created = await Cli(environment, "auth", "token", "create", "--name", "from-cli", "--role", "maintainer", "--expires-in", "30d");
        Assert.True(created.ExitCode == 0, created.Describe());
        var secret = created.StandardOutput.Split('\n').Single(l => l.StartsWith("cauchy_", StringComparison.Ordinal)).Trim();
        Assert.Contains("cannot be shown again", created.StandardError, StringComparison.Ordinal);
        var id = created.StandardOutput.Split('/', ' ')[1];

        var listed = await Cli(environment, "auth", "token", "list");
        Assert.Contains("from-cli", listed.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed.StandardOutput, StringComparison.Ordinal);

        environment["CAUCHY_TOKEN"] = secret;
        Assert.Contains("token:from-cli (maintainer)", (await Cli(environment, "auth", "whoami")).StandardOutput, StringComparison.Ordinal);
        environment.Remove("CAUCHY_TOKEN");
        Assert.Equal(0, (await Cli(environment, "auth", "token", "revoke", id)).ExitCode);
        environment["CAUCHY_TOKEN"] = secret;
        Assert.Equal(1, (await Cli(environment, "auth", "whoami")).ExitCode);
    }

    private static bool IsViewerMethod(string fullName) =>
        Cauchy.ServiceDefaults.Security.RpcPermissions.Required[fullName] == Cauchy.ServiceDefaults.Security.PlatformRole.Viewer;

    private async Task<string> CreateTokenAsync(string name, string role)
    {
        using var admin = Platform.Channel(Orchestrator);
        return (await new Auth.AuthClient(admin).CreateTokenAsync(new CreateTokenRequest { Name = name, Role = role }, deadline: Deadline())).Secret;
    }

    private static Task<ProcessResult> Cli(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        ProcessRunner.RunAsync(
            "dotnet",
            [Path.Combine(RepositoryLayout.Root, "services", "cli", "bin", RepositoryLayout.Configuration, "net10.0", "cauchy.dll"), .. arguments],
            TimeSpan.FromSeconds(60),
            environment);

    private static DateTime Deadline() => DateTime.UtcNow.AddSeconds(30);
}
