using Cauchy.Data;
using Cauchy.Datasets.Catalog;
using Cauchy.Datasets.Domain;
using Cauchy.Datasets.Grpc;
using Cauchy.Datasets.Import;
using Cauchy.Datasets.Shards;
using Cauchy.ServiceDefaults.GrpcClient;
using Cauchy.Storage;
using Cauchy.V1;
using Grpc.AspNetCore.Server;

namespace Cauchy.Datasets;

/// <summary>The datasets service's own wiring: database, object store, domain classes, the registry client.</summary>
public static class DatasetsServiceExtensions
{
    public static IHostApplicationBuilder AddDatasets(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(DatasetsOptions.SectionName).Get<DatasetsOptions>() ?? new DatasetsOptions();
        if (!builder.Configuration.GetSection($"{DatasetsOptions.SectionName}:WorkDirectory").Exists())
        {
            options.WorkDirectory = Path.Combine(ServiceDatabaseExtensions.DataRoot(builder.Configuration), "work");
        }
        builder.Services.AddSingleton(options);

        builder.AddServiceDatabase<DatasetsDbContext>("datasets");
        builder.Services.AddObjectStore(builder.Configuration);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IDatasetCatalog, EfDatasetCatalog>();
        builder.Services.AddSingleton<ArchiveSource>();
        builder.Services.AddSingleton<DatasetImporter>();
        builder.Services.AddSingleton<ShardReader>();
        builder.Services.AddSingleton<DatasetManager>();
        builder.Services.AddSingleton<LeftoverSweeper>();
        builder.Services.AddHostedService<LeftoverSweepService>();
        if (options.CheckRegistryLineage)
        {
            builder.Services.AddGrpcServiceClient<Models.ModelsClient>("Registry");
            builder.Services.AddSingleton<IModelLineage, RegistryModelLineage>();
        }
        else
        {
            builder.Services.AddSingleton<IModelLineage, NoModelLineage>();
        }
        return builder;
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
