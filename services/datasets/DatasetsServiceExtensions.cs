using Cauchy.Data;
using Cauchy.Datasets.Catalog;
using Cauchy.Datasets.Domain;
using Cauchy.Datasets.Import;
using Cauchy.Datasets.Shards;
using Cauchy.ServiceDefaults.GrpcClient;
using Cauchy.Storage;
using Cauchy.V1;

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
}
