using Cauchy.Data;
using Cauchy.Metrics.Data;
using Cauchy.Metrics.Datasets;
using Cauchy.Metrics.Evaluations;
using Cauchy.ServiceDefaults.GrpcClient;
using Microsoft.Extensions.Options;

namespace Cauchy.Metrics.Extensions;

/// <summary>
/// The metrics service's composition root: its database, the evaluation store, the limits on one evaluation, and the
/// datasets service it reads ground truth from when Services:Datasets:Address is set (without it, only evaluations
/// whose caller sends the ground truth are possible).
/// </summary>
public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<MetricsDbContext>("metrics");
        builder.Services.AddSingleton<IEvaluationStore, EfEvaluationStore>();
        builder.Services.AddOptions<EvaluationLimits>().BindConfiguration(EvaluationLimits.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EvaluationLimits>, EvaluationLimitsValidator>();
        if (string.IsNullOrWhiteSpace(builder.Configuration[GrpcServiceClientFactory.AddressKey("Datasets")]))
        {
            builder.Services.AddSingleton<IDatasetCatalog, NoDatasetCatalog>();
        }
        else
        {
            builder.Services.AddGrpcServiceClient<V1.Datasets.DatasetsClient>("Datasets");
            builder.Services.AddSingleton<IDatasetCatalog, GrpcDatasetCatalog>();
        }

        builder.Services.AddSingleton<DatasetEvaluation>();
    }
}
