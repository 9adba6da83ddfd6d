using Cauchy.Datasets.Data;
using Cauchy.Datasets.Domain;
using Cauchy.Datasets.Tests.Support;
using Cauchy.Domain;
using Cauchy.Testing;
using Cauchy.V1;

namespace Cauchy.Datasets.Tests.Domain;

/// <summary>Dataset and version lifecycle on a real database; runs on SQLite and on PostgreSQL.</summary>
public abstract class DatasetStoreBehaviour(ITestDatabaseServer server)
{
    private static ImportDatasetVersionHeader Header(string dataset, long seed = 0) => new()
    {
        DatasetId = dataset,
        Format = DatasetFormat.ImageFolder,
        ArchiveKind = ArchiveKind.Tar,
        Split = new SplitSpec { Seed = seed },
    };

    private static byte[] Archive(int seed) => SampleSets.ImageFolder(Shapes.Generate(6, seed)).Build(ArchiveKind.Tar);

    [Fact]
    public async Task Migrations_build_the_model_schema()
    {
        await SchemaDescription.AssertMigrationsMatchModelAsync<DatasetsDbContext>(server, options => new DatasetsDbContext(options));
    }

    [Fact]
    public async Task Datasets_are_created_once_listed_in_pages_and_filtered()
    {
        await using var harness = await DomainHarness.CreateAsync(server);
        foreach (var (id, task) in new[] { ("b-set", TaskType.Detection), ("a-set", TaskType.Classification), ("c-set", TaskType.Detection), ("d-set", TaskType.Segmentation) })
        {
            await harness.Manager.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = id, TaskType = task, Labels = { ["team"] = id == "c-set" ? "blue" : "red" } }, CancellationToken.None);
        }
        var duplicate = await Assert.ThrowsAsync<DomainException>(() => harness.CreateDatasetAsync("a-set", TaskType.Classification));
        Assert.Equal(DomainErrorKind.AlreadyExists, duplicate.Kind);
        Assert.Contains("'a-set'", duplicate.Message);
        var invalid = await Assert.ThrowsAsync<DomainException>(() => harness.CreateDatasetAsync("Bad_Name", TaskType.Classification));
        Assert.Contains("dataset_id", invalid.Message);
        var noTask = await Assert.ThrowsAsync<DomainException>(() => harness.CreateDatasetAsync("no-task", TaskType.Unspecified));
        Assert.Contains("task_type", noTask.Message);

        var first = await harness.Manager.ListDatasetsAsync(new ListDatasetsRequest { PageSize = 2 }, CancellationToken.None);
        Assert.Equal(["a-set", "b-set"], first.Datasets.Select(d => d.Id));
        var second = await harness.Manager.ListDatasetsAsync(new ListDatasetsRequest { PageSize = 2, PageToken = first.NextPageToken }, CancellationToken.None);
        Assert.Equal(["c-set", "d-set"], second.Datasets.Select(d => d.Id));
        var detection = await harness.Manager.ListDatasetsAsync(new ListDatasetsRequest { TaskType = TaskType.Detection, LabelSelector = { ["team"] = "red" } }, CancellationToken.None);
        Assert.Equal(["b-set"], detection.Datasets.Select(d => d.Id));
        await Assert.ThrowsAsync<DomainException>(() => harness.Manager.ListDatasetsAsync(
            new ListDatasetsRequest { PageSize = 2, PageToken = first.NextPageToken, TaskType = TaskType.Detection }, CancellationToken.None));
    }

    [Fact]
    public async Task Deleting_a_dataset_with_versions_needs_force_and_removes_their_objects()
    {
        await using var harness = await DomainHarness.CreateAsync(server);
        await harness.CreateDatasetAsync("shapes", TaskType.Classification);
        await harness.ImportAsync(Header("shapes", 1), Archive(1));
        await harness.ImportAsync(Header("shapes", 2), Archive(2));
        var versions = await harness.Manager.ListVersionsAsync(new ListDatasetVersionsRequest { DatasetId = "shapes", PageSize = 1 }, CancellationToken.None);
        Assert.Single(versions.Versions);
        var rest = await harness.Manager.ListVersionsAsync(new ListDatasetVersionsRequest { DatasetId = "shapes", PageSize = 1, PageToken = versions.NextPageToken }, CancellationToken.None);
        Assert.Single(rest.Versions);
        Assert.Empty(rest.NextPageToken);

        var refused = await Assert.ThrowsAsync<DomainException>(() => harness.Manager.DeleteDatasetAsync("shapes", force: false, CancellationToken.None));
        Assert.Equal(DomainErrorKind.FailedPrecondition, refused.Kind);
        Assert.NotEmpty(harness.StoredObjects());

        await harness.Manager.DeleteDatasetAsync("shapes", force: true, CancellationToken.None);
        Assert.Empty(harness.StoredObjects());
        var gone = await Assert.ThrowsAsync<DomainException>(() => harness.Manager.GetDatasetAsync("shapes", CancellationToken.None));
        Assert.Equal(DomainErrorKind.NotFound, gone.Kind);
        Assert.Empty(await harness.DatasetStore.ListAbandonedPrefixesAsync(DateTime.UtcNow.AddDays(1), CancellationToken.None));

        // The id is free again, and the same content can come back.
        await harness.CreateDatasetAsync("shapes", TaskType.Classification);
        Assert.False((await harness.ImportAsync(Header("shapes", 1), Archive(1))).AlreadyExisted);
    }

    [Fact]
    public async Task A_version_a_model_was_trained_on_is_not_deleted()
    {
        var lineage = new FixedLineage();
        await using var harness = await DomainHarness.CreateAsync(server, lineage: lineage);
        await harness.CreateDatasetAsync("shapes", TaskType.Classification);
        var version = (await harness.ImportAsync(Header("shapes"), Archive(3))).Version.Version;
        lineage.Referenced[(version.DatasetId, version.VersionId)] = "resnet-shapes";

        var refused = await Assert.ThrowsAsync<DomainException>(() => harness.Manager.DeleteVersionAsync("shapes", version.VersionId, CancellationToken.None));
        Assert.Equal(DomainErrorKind.FailedPrecondition, refused.Kind);
        Assert.Contains("resnet-shapes", refused.Message);
        var forced = await Assert.ThrowsAsync<DomainException>(() => harness.Manager.DeleteDatasetAsync("shapes", force: true, CancellationToken.None));
        Assert.Contains("resnet-shapes", forced.Message);
        Assert.NotNull(await harness.DatasetStore.FindVersionAsync("shapes", version.VersionId, CancellationToken.None));

        lineage.Referenced.Clear();
        await harness.Manager.DeleteVersionAsync("shapes", version.VersionId, CancellationToken.None);
        Assert.Null(await harness.DatasetStore.FindVersionAsync("shapes", version.VersionId, CancellationToken.None));
        Assert.Empty(harness.StoredObjects());
        var missing = await Assert.ThrowsAsync<DomainException>(() => harness.Manager.DeleteVersionAsync("shapes", version.VersionId, CancellationToken.None));
        Assert.Equal(DomainErrorKind.NotFound, missing.Kind);
    }

    [Fact]
    public async Task Leftovers_of_an_import_that_never_committed_are_swept_and_never_visible()
    {
        await using var harness = await DomainHarness.CreateAsync(server);
        await harness.CreateDatasetAsync("shapes", TaskType.Classification);
        // What a process killed mid-import leaves: a begun import and some of its shards.
        await harness.DatasetStore.BeginImportAsync("shapes", "deadbeef", "datasets/shapes/deadbeef/", CancellationToken.None);
        await harness.Store.PutAsync("datasets/shapes/deadbeef/train-00000.shard", new MemoryStream([1, 2, 3]));
        Directory.CreateDirectory(Path.Combine(harness.Options.WorkDirectory, "import-deadbeef"));
        Assert.Equal(0, (await harness.Manager.GetDatasetAsync("shapes", CancellationToken.None)).VersionCount);

        await harness.Sweeper.SweepAsync(CancellationToken.None);

        Assert.Empty(harness.StoredObjects());
        Assert.Empty(Directory.EnumerateFileSystemEntries(harness.Options.WorkDirectory));
        Assert.Empty(await harness.DatasetStore.ListAbandonedPrefixesAsync(DateTime.UtcNow.AddDays(1), CancellationToken.None));
    }

    private sealed class FixedLineage : IModelLineage
    {
        public Dictionary<(string, string), string> Referenced { get; } = [];

        public Task EnsureNotReferencedAsync(string datasetId, string versionId, CancellationToken cancellationToken) =>
            Referenced.TryGetValue((datasetId, versionId), out var model)
                ? throw DomainException.FailedPrecondition($"dataset version '{datasetId}/{versionId}' is in the lineage of model '{model}' version 1")
                : Task.CompletedTask;
    }
}

public sealed class DatasetStoreOnSqlite(SqliteFixture fixture) : DatasetStoreBehaviour(fixture), IClassFixture<SqliteFixture>;

[Collection(PostgresFixture.CollectionName)]
public sealed class DatasetStoreOnPostgres(PostgresFixture fixture) : DatasetStoreBehaviour(fixture);
