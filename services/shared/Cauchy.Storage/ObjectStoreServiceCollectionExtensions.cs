using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cauchy.Storage;

/// <summary>Registers the object store a service's configuration asks for.</summary>
public static class ObjectStoreServiceCollectionExtensions
{
    /// <summary>
    /// Binds section "Storage" (<see cref="StorageOptions"/>) and registers a singleton <see cref="IObjectStore"/>:
    /// the local directory store for Storage:Kind = local (the default), the S3 store for s3. Without Storage:Local:Root,
    /// the local store lives in the service's data folder, <c>&lt;Data:Root&gt;/objects</c>, when Data:Root is set.
    /// </summary>
    public static IServiceCollection AddObjectStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        if (string.IsNullOrEmpty(configuration["Storage:Local:Root"]) && configuration["Data:Root"] is { Length: > 0 } dataRoot)
        {
            options = options with { Local = options.Local with { Root = Path.Combine(dataRoot, "objects") } };
        }

        services.AddSingleton(options);
        switch (options.Kind.Trim().ToLowerInvariant())
        {
            case "local":
                services.AddSingleton<IObjectStore>(_ => new LocalObjectStore(options.Local));
                break;
            case "s3":
                options.S3.Validate();
                services.AddSingleton<IObjectStore>(provider =>
                    S3ObjectStore.Create(options.S3, provider.GetService<ILogger<S3ObjectStore>>()));
                break;
            default:
                throw new ArgumentException($"Storage:Kind is '{options.Kind}'; it must be 'local' or 's3'.");
        }
        return services;
    }
}
