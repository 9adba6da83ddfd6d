using Cauchy.Data;
using Cauchy.Datasets.Data;
using Cauchy.Datasets.Domain;
using Cauchy.Datasets.Grpc;
using Cauchy.Datasets.Import;
using Cauchy.Datasets.Shards;
using Cauchy.ServiceDefaults.GrpcClient;
using Cauchy.Storage;
using Cauchy.V1;
using Grpc.AspNetCore.Server;
using Microsoft.Extensions.Options;

namespace Cauchy.Datasets.Extensions;

/// <summary>The datasets service's composition root: options, database, object store, domain classes, the registry client.</summary>
public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatasetsOptions>()
            .BindConfiguration(DatasetsOptions.SectionName)
            .PostConfigure<IConfiguration>(static (options, configuration) =>
            {
                // Without its own setting the work folder lives in the service's data folder.
                if (!configuration.GetSection($"{DatasetsOptions.SectionName}:{nameof(DatasetsOptions.WorkDirectory)}").Exists())
                {
                    options.WorkDirectory = Path.Combine(ServiceDatabaseExtensions.DataRoot(configuration), "work");
                }
            })
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DatasetsOptions>, DatasetsOptionsValidator>();

        builder.AddServiceDatabase<DatasetsDbContext>("datasets");
        builder.Services.AddObjectStore(builder.Configuration);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IDatasetStore, EfDatasetStore>();
        builder.Services.AddSingleton<ArchiveSource>();
        builder.Services.AddSingleton<DatasetImporter>();
        builder.Services.AddSingleton<ShardReader>();
        builder.Services.AddSingleton<DatasetManager>();
        builder.Services.AddSingleton<LeftoverSweeper>();
        builder.Services.AddHostedService<LeftoverSweepService>();

        // Which lineage check runs is a start-up decision: it decides whether a registry client exists at all.
        if (builder.Configuration.GetValue($"{DatasetsOptions.SectionName}:{nameof(DatasetsOptions.CheckRegistryLineage)}", defaultValue: true))
        {
            builder.Services.AddGrpcServiceClient<Models.ModelsClient>("Registry");
            builder.Services.AddSingleton<IModelLineage, RegistryModelLineage>();
        }
        else
        {
            builder.Services.AddSingleton<IModelLineage, NoModelLineage>();
        }
    }

    /// <summary>
    /// Maps cauchy.v1.Datasets: <see cref="ShardStreamService"/> for ReadShard, ordered ahead of the generated binding of
    /// <see cref="DatasetsService"/> (whose ReadShard route it shadows), and <see cref="DatasetsService"/> for the rest.
    /// The "unimplemented method" fallback Grpc.AspNetCore adds for each mapped service is ordered last for the shard
    /// stream, so that the Datasets service's own answers for unknown methods.
    /// </summary>
    public static IEndpointRouteBuilder MapDatasetsServices(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<ShardStreamService>().Add(static endpoint =>
            ((RouteEndpointBuilder)endpoint).Order = endpoint.Metadata.OfType<GrpcMethodMetadata>().Any() ? -1 : 1);
        endpoints.MapGrpcService<DatasetsService>();
        return endpoints;
    }
}
