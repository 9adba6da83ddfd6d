using Cauchy.Data;
using Cauchy.Datasets.Data;
using Cauchy.Datasets.Domain;
using Cauchy.Datasets.Import;
using Cauchy.Datasets.Shards;
using Cauchy.Storage;
using Cauchy.Testing;
using Cauchy.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cauchy.Datasets.Tests.Support;

/// <summary>
/// The service's domain classes wired as Program.cs wires them, without a server: a local object store in a
/// temporary folder and a real database (SQLite file or PostgreSQL) from a Cauchy.Testing fixture.
/// </summary>
public sealed class DomainHarness : IAsyncDisposable
{
    private DomainHarness(string root, LocalObjectStore store, IDbContextFactory<DatasetsDbContext> factory, DatasetsOptions options, IModelLineage lineage)
    {
        Root = root;
        Store = store;
        Options = options;
        Factory = factory;
        var datasetsOptions = Microsoft.Extensions.Options.Options.Create(options);
        var storage = new StorageOptions { Local = new LocalStoreOptions { Root = Path.Combine(root, "objects") } };
        DatasetStore = new EfDatasetStore(factory, TimeProvider.System);
        Importer = new DatasetImporter(DatasetStore, store, new ArchiveSource(store, storage, datasetsOptions), datasetsOptions, storage, TimeProvider.System, NullLogger<DatasetImporter>.Instance);
        Reader = new ShardReader(store);
        Manager = new DatasetManager(DatasetStore, Importer, Reader, lineage, datasetsOptions, TimeProvider.System);
        Sweeper = new LeftoverSweeper(DatasetStore, Importer, datasetsOptions, TimeProvider.System, NullLogger<LeftoverSweeper>.Instance);
    }

    public string Root { get; }

    public LocalObjectStore Store { get; }

    public string ObjectsRoot => Path.Combine(Root, "objects");

    public DatasetsOptions Options { get; }

    public IDbContextFactory<DatasetsDbContext> Factory { get; }

    public EfDatasetStore DatasetStore { get; }

    public DatasetImporter Importer { get; }

    public ShardReader Reader { get; }

    public DatasetManager Manager { get; }

    public LeftoverSweeper Sweeper { get; }

    public static async Task<DomainHarness> CreateAsync(
        ITestDatabaseServer server, Action<DatasetsOptions>? configure = null, IModelLineage? lineage = null)
    {
        var root = TempDirectory.Create("cauchy-datasets");
        var options = new DatasetsOptions { WorkDirectory = Path.Combine(root, "work") };
        configure?.Invoke(options);
        var database = await server.CreateDatabaseAsync($"datasets_{Guid.NewGuid():N}"[..20]);
        var factory = new PooledDbContextFactory<DatasetsDbContext>(ServiceDatabase.CreateOptions<DatasetsDbContext>(database));
        await using (var db = await factory.CreateDbContextAsync())
        {
            await DatabaseMigrator.MigrateAsync(db);
        }
        var store = new LocalObjectStore(new LocalStoreOptions { Root = Path.Combine(root, "objects") });
        return new DomainHarness(root, store, factory, options, lineage ?? new NoModelLineage());
    }

    public Task<Dataset> CreateDatasetAsync(string id, TaskType taskType) =>
        Manager.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = id, TaskType = taskType }, CancellationToken.None);

    /// <summary>Imports <paramref name="archive"/> as an upload in 64 KiB chunks.</summary>
    public Task<ImportOutcome> ImportAsync(ImportDatasetVersionHeader header, byte[] archive)
    {
        header = header.Clone();
        if (header.SourceCase == ImportDatasetVersionHeader.SourceOneofCase.None)
        {
            header.Upload = new ArchiveUpload { SizeBytes = archive.Length };
        }
        return Importer.ImportAsync(header, Chunks(archive), CancellationToken.None);
    }

    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> Chunks(byte[] data)
    {
        for (var offset = 0; offset < data.Length; offset += 65536)
        {
            await Task.Yield();
            yield return data.AsMemory(offset, Math.Min(65536, data.Length - offset));
        }
    }

    /// <summary>Every sample of a version, read back through the shard reader, split by split.</summary>
    public async Task<List<Sample>> ReadAllAsync(StoredVersion version)
    {
        var samples = new List<Sample>();
        foreach (var split in version.Manifest.Splits)
        {
            foreach (var shard in split.Shards)
            {
                await foreach (var batch in Reader.ReadAsync(shard, 0, 100, CancellationToken.None))
                {
                    samples.AddRange(batch);
                }
            }
        }
        return samples;
    }

    /// <summary>Files in the object store (relative paths), ignoring the store's temporary folder.</summary>
    public List<string> StoredObjects() =>
        Directory.Exists(ObjectsRoot)
            ? Directory.EnumerateFiles(ObjectsRoot, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(ObjectsRoot, f))
                .Where(f => !f.StartsWith(".tmp", StringComparison.Ordinal))
                .ToList()
            : [];

    public async ValueTask DisposeAsync()
    {
        if (Factory is IDisposable disposable)
        {
            disposable.Dispose();
        }
        await Task.Yield();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
