using Cauchy.Data;
using Cauchy.Registry.Data;
using Cauchy.Registry.Domain;
using Cauchy.Storage;
using Cauchy.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Registry.Tests.Support;

/// <summary>The registry's use cases on a migrated database and a local object store in a temporary folder.</summary>
public sealed class RegistryHarness : IDisposable
{
    private RegistryHarness(DbContextOptions<RegistryDbContext> options, string root)
    {
        Root = root;
        Options = new StorageOptions { Kind = "local", Local = new LocalStoreOptions { Root = root } };
        Store = new LocalObjectStore(Options.Local);
        Factory = new ContextFactory(options);
        var uris = new ArtifactUris(Options);
        Models = new RegistryModels(Factory, TimeProvider.System);
        Registration = new VersionRegistration(Factory, Store, uris, TimeProvider.System);
        Versions = new VersionQueries(Factory, uris);
        Stages = new VersionStages(Factory, Store, uris, TimeProvider.System);
        Downloads = new ArtifactDownloads(Factory, Store, uris);
    }

    public string Root { get; }
    public StorageOptions Options { get; }
    public IObjectStore Store { get; }
    public IDbContextFactory<RegistryDbContext> Factory { get; }
    public RegistryModels Models { get; }
    public VersionRegistration Registration { get; }
    public VersionQueries Versions { get; }
    public VersionStages Stages { get; }
    public ArtifactDownloads Downloads { get; }

    public static async Task<RegistryHarness> CreateAsync(ITestDatabaseServer server, Type testClass)
    {
        var options = ServiceDatabase.CreateOptions<RegistryDbContext>(await server.DatabaseForAsync(testClass));
        await using (var db = new RegistryDbContext(options))
        {
            await DatabaseMigrator.MigrateAsync(db);
        }
        return new RegistryHarness(options, TempDirectory.Create("cauchy-registry-objects"));
    }

    /// <summary>Every key under sha256/ in the store.</summary>
    public async Task<List<string>> StoredKeysAsync()
    {
        var keys = new List<string>();
        await foreach (var item in Store.ListAsync("sha256/"))
        {
            keys.Add(item.Key);
        }
        return keys;
    }

    public void Dispose() => TempDirectory.Delete(Root);

    private sealed class ContextFactory(DbContextOptions<RegistryDbContext> options) : IDbContextFactory<RegistryDbContext>
    {
        public RegistryDbContext CreateDbContext() => new(options);
    }
}
