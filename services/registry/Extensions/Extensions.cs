using Cauchy.Data;
using Cauchy.Registry.Data;
using Cauchy.Registry.Domain;
using Cauchy.Storage;

namespace Cauchy.Registry.Extensions;

/// <summary>The registry's composition root: its database, the object store, the use cases.</summary>
public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<RegistryDbContext>("registry");
        builder.Services.AddObjectStore(builder.Configuration);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ArtifactUris>();
        builder.Services.AddSingleton<RegistryModels>();
        builder.Services.AddSingleton<VersionRegistration>();
        builder.Services.AddSingleton<VersionQueries>();
        builder.Services.AddSingleton<VersionStages>();
        builder.Services.AddSingleton<ArtifactDownloads>();
    }
}
