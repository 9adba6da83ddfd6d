using Cauchy.Data;
using Cauchy.Orchestrator.Auth;
using Cauchy.Orchestrator.Data;
using Cauchy.Orchestrator.Datasets;
using Cauchy.Orchestrator.Jobs;
using Cauchy.Orchestrator.Models;
using Cauchy.Orchestrator.Telemetry;
using Cauchy.ServiceDefaults.GrpcClient;
using Cauchy.ServiceDefaults.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Cauchy.Orchestrator.Extensions;

/// <summary>
/// The orchestrator's composition root: its options, its database, the job use cases, the lease reaper, the datasets
/// and registry clients, its gauges, and the platform tokens.
/// </summary>
public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<JobsOptions>()
            .BindConfiguration(JobsOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<JobsOptions>, JobsOptionsValidator>();

        builder.AddServiceDatabase<OrchestratorDbContext>("orchestrator");
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddGrpcServiceClient<V1.Datasets.DatasetsClient>("Datasets");
        builder.Services.AddSingleton<IDatasetCatalog, GrpcDatasetCatalog>();
        builder.Services.AddGrpcServiceClient<V1.Models.ModelsClient>("Registry");
        builder.Services.AddSingleton<IModelCatalog, GrpcModelCatalog>();
        builder.Services.AddSingleton<JobSignals>();
        builder.Services.AddSingleton<JobStore>();
        builder.Services.AddSingleton<JobSubmission>();
        builder.Services.AddSingleton<JobQueries>();
        builder.Services.AddSingleton<JobCancellation>();
        builder.Services.AddSingleton<JobLeases>();
        builder.Services.AddSingleton<JobLogs>();
        builder.Services.AddSingleton<JobMetrics>();
        builder.Services.AddSingleton<JobWatch>();
        builder.Services.AddSingleton<LeaseOutageCredit>();
        builder.Services.AddHostedService<LeaseReaper>();
        builder.Services.AddSingleton<JobGauges>();

        // The orchestrator keeps the platform tokens: it checks them itself instead of asking over gRPC.
        builder.Services.AddOptions<TokenBootstrapOptions>().BindConfiguration(TokenBootstrapOptions.SectionName);
        builder.Services.AddSingleton<ApiTokens>();
        builder.Services.Replace(ServiceDescriptor.Singleton<ITokenIntrospector, DatabaseTokenIntrospector>());
        builder.Services.AddHostedService<TokenBootstrap>();
    }
}
