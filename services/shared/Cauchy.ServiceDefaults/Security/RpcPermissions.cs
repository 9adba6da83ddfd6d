using System.Collections.Frozen;

namespace Cauchy.ServiceDefaults.Security;

/// <summary>
/// The one table of who may call what: every RPC of every Cauchy service, by its full method name, and the role it
/// needs (<see cref="PlatformRoles.Satisfies"/> says which roles satisfy which). An RPC missing here is refused with
/// PERMISSION_DENIED and logged as a server fault; a test fails when a method of the contracts has no entry, or when
/// an entry names a method that does not exist. grpc.health.v1 and server reflection are open and not listed.
/// </summary>
public static class RpcPermissions
{
    private const PlatformRole Viewer = PlatformRole.Viewer;
    private const PlatformRole Researcher = PlatformRole.Researcher;
    private const PlatformRole Maintainer = PlatformRole.Maintainer;
    private const PlatformRole Admin = PlatformRole.Admin;
    private const PlatformRole Service = PlatformRole.Service;

    public static readonly FrozenDictionary<string, PlatformRole> Required = new Dictionary<string, PlatformRole>
    {
        // Datasets
        ["/cauchy.v1.Datasets/CreateDataset"] = Researcher,
        ["/cauchy.v1.Datasets/GetDataset"] = Viewer,
        ["/cauchy.v1.Datasets/ListDatasets"] = Viewer,
        ["/cauchy.v1.Datasets/DeleteDataset"] = Maintainer,
        ["/cauchy.v1.Datasets/ImportDatasetVersion"] = Researcher,
        ["/cauchy.v1.Datasets/GetDatasetVersion"] = Viewer,
        ["/cauchy.v1.Datasets/ListDatasetVersions"] = Viewer,
        ["/cauchy.v1.Datasets/DeleteDatasetVersion"] = Maintainer,
        ["/cauchy.v1.Datasets/GetDatasetStatistics"] = Viewer,
        ["/cauchy.v1.Datasets/GetShardManifest"] = Viewer,
        ["/cauchy.v1.Datasets/ReadShard"] = Viewer,

        // Jobs (the orchestrator). CancelJob by a researcher is further limited to the jobs it submitted.
        ["/cauchy.v1.Jobs/SubmitJob"] = Researcher,
        ["/cauchy.v1.Jobs/GetJob"] = Viewer,
        ["/cauchy.v1.Jobs/ListJobs"] = Viewer,
        ["/cauchy.v1.Jobs/CancelJob"] = Researcher,
        ["/cauchy.v1.Jobs/LeaseJob"] = Service,
        ["/cauchy.v1.Jobs/Heartbeat"] = Service,
        ["/cauchy.v1.Jobs/CompleteJob"] = Service,
        ["/cauchy.v1.Jobs/FailJob"] = Service,
        ["/cauchy.v1.Jobs/ReleaseJob"] = Service,
        ["/cauchy.v1.Jobs/WatchJob"] = Viewer,
        ["/cauchy.v1.Jobs/StreamLogs"] = Viewer,
        ["/cauchy.v1.Jobs/AppendLogs"] = Service,
        ["/cauchy.v1.Jobs/GetJobMetrics"] = Viewer,

        // Auth (the orchestrator)
        ["/cauchy.v1.Auth/CreateToken"] = Admin,
        ["/cauchy.v1.Auth/ListTokens"] = Admin,
        ["/cauchy.v1.Auth/RevokeToken"] = Admin,
        ["/cauchy.v1.Auth/IntrospectToken"] = Service,
        ["/cauchy.v1.Auth/WhoAmI"] = Viewer,

        // Metrics
        ["/cauchy.v1.Metrics/Evaluate"] = Researcher,
        ["/cauchy.v1.Metrics/GetEvaluation"] = Viewer,
        ["/cauchy.v1.Metrics/ListEvaluations"] = Viewer,

        // Models (the registry). Versions are registered by trainers only (the CLI has no verb for it).
        ["/cauchy.v1.Models/CreateModel"] = Researcher,
        ["/cauchy.v1.Models/GetModel"] = Viewer,
        ["/cauchy.v1.Models/ListModels"] = Viewer,
        ["/cauchy.v1.Models/CreateModelVersion"] = Service,
        ["/cauchy.v1.Models/DownloadArtifact"] = Viewer,
        ["/cauchy.v1.Models/GetModelVersion"] = Viewer,
        ["/cauchy.v1.Models/ListModelVersions"] = Viewer,
        ["/cauchy.v1.Models/TransitionStage"] = Maintainer,
        ["/cauchy.v1.Models/DeleteModelVersion"] = Maintainer,
        ["/cauchy.v1.Models/ImportPretrained"] = Researcher,
        ["/cauchy.v1.Models/ListPretrained"] = Viewer,
        ["/cauchy.v1.Models/ListVersionsByDataset"] = Viewer,

        // Trainer
        ["/cauchy.v1.Trainer/GetStatus"] = Viewer,
        ["/cauchy.v1.Trainer/Drain"] = Maintainer,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Methods every caller may use, credential or not: health checks and server reflection.</summary>
    public static bool IsOpen(string method) =>
        method.StartsWith("/grpc.health.v1.", StringComparison.Ordinal)
        || method.StartsWith("/grpc.reflection.", StringComparison.Ordinal);

    /// <summary>Whether a call to the method is written to the audit log: every entry above viewer.</summary>
    public static bool IsAudited(PlatformRole required) => required != PlatformRole.Viewer;
}
