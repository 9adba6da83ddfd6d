using Cauchy.Data;
using Cauchy.Domain;
using Cauchy.Metrics.Data;
using Cauchy.Metrics.Evaluations;
using Cauchy.Testing;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace Cauchy.Metrics.Tests;

[CollectionDefinition(PostgresFixture.CollectionName)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;

public sealed class EvaluationStoreOnSqlite(SqliteFixture server) : EvaluationStoreBehaviour(server), IClassFixture<SqliteFixture>;

[Collection(PostgresFixture.CollectionName)]
public sealed class EvaluationStoreOnPostgres(PostgresFixture server) : EvaluationStoreBehaviour(server);

public abstract class EvaluationStoreBehaviour(ITestDatabaseServer server)
{
    [Fact]
    public async Task The_migration_creates_exactly_the_model()
    {
        await SchemaDescription.AssertMigrationsMatchModelAsync<MetricsDbContext>(server, options => new MetricsDbContext(options));
    }

    [Fact]
    public async Task Saved_evaluations_come_back_whole_and_lists_filter_page_and_order_newest_first()
    {
        var store = await NewStoreAsync();
        var start = new DateTime(2026, 11, 22, 8, 0, 0, DateTimeKind.Utc);
        var saved = new List<Evaluation>();
        for (var i = 0; i < 7; i++)
        {
            // Two share a creation time, so paging must break ties by id.
            var evaluation = Sample($"e{i}", i < 4 ? "job-a" : "job-b", start.AddMinutes(i == 6 ? 5 : i), model: i % 2 == 0 ? ("cnn", 1 + i / 4) : null);
            await store.SaveAsync(evaluation, CancellationToken.None);
            saved.Add(evaluation);
        }

        var found = await store.FindAsync("e3", CancellationToken.None);
        Assert.Equal(saved[3], found);
        Assert.Null(await store.FindAsync("missing", CancellationToken.None));

        var pages = new List<string>();
        string? token = null;
        do
        {
            var page = await store.ListAsync(new EvaluationFilter(null, null, 0, null, IncludeDetails: false), 3, token, CancellationToken.None);
            Assert.All(page.Evaluations, e => Assert.Null(e.Classification));
            pages.AddRange(page.Evaluations.Select(e => e.Id));
            token = page.NextPageToken;
        }
        while (token is not null);

        Assert.Equal(["e6", "e5", "e4", "e3", "e2", "e1", "e0"], pages);

        var jobB = await store.ListAsync(new EvaluationFilter("job-b", null, 0, null, true), 10, null, CancellationToken.None);
        Assert.Equal(["e6", "e5", "e4"], jobB.Evaluations.Select(e => e.Id));
        Assert.All(jobB.Evaluations, e => Assert.NotNull(e.Classification));
        Assert.Null(jobB.NextPageToken);

        var cnnAll = await store.ListAsync(new EvaluationFilter(null, "cnn", 0, null, false), 10, null, CancellationToken.None);
        Assert.Equal(["e6", "e4", "e2", "e0"], cnnAll.Evaluations.Select(e => e.Id));
        var cnnV2 = await store.ListAsync(new EvaluationFilter(null, "cnn", 2, EvaluationKind.Classification, false), 10, null, CancellationToken.None);
        Assert.Equal(["e6", "e4"], cnnV2.Evaluations.Select(e => e.Id));
        var detection = await store.ListAsync(new EvaluationFilter(null, null, 0, EvaluationKind.DetectionCoco, false), 10, null, CancellationToken.None);
        Assert.Empty(detection.Evaluations);
    }

    [Fact]
    public async Task Lists_filter_by_the_dataset_and_version_an_evaluation_names()
    {
        var store = await NewStoreAsync();
        var start = new DateTime(2026, 12, 8, 8, 0, 0, DateTimeKind.Utc);
        (string Id, string? Dataset, string Version)[] rows = [("d0", "shapes", "v1"), ("d1", "shapes", "v2"), ("d2", "other", "v1"), ("d3", null, "")];
        for (var i = 0; i < rows.Length; i++)
        {
            var evaluation = Sample(rows[i].Id, "job", start.AddMinutes(i), model: null);
            if (rows[i].Dataset is { } dataset)
            {
                evaluation.DatasetVersion = new DatasetVersionRef { DatasetId = dataset, VersionId = rows[i].Version };
            }

            await store.SaveAsync(evaluation, CancellationToken.None);
        }

        var shapes = await store.ListAsync(new EvaluationFilter(null, null, 0, null, false, "shapes"), 1, null, CancellationToken.None);
        var shapesNext = await store.ListAsync(new EvaluationFilter(null, null, 0, null, false, "shapes"), 1, shapes.NextPageToken, CancellationToken.None);
        var v1 = await store.ListAsync(new EvaluationFilter(null, null, 0, null, false, "shapes", "v1"), 10, null, CancellationToken.None);

        Assert.Equal(["d1"], shapes.Evaluations.Select(e => e.Id));
        Assert.Equal(["d0"], shapesNext.Evaluations.Select(e => e.Id));
        Assert.Null(shapesNext.NextPageToken);
        Assert.Equal(["d0"], v1.Evaluations.Select(e => e.Id));
        await Assert.ThrowsAsync<Cauchy.Domain.DomainException>(() =>
            store.ListAsync(new EvaluationFilter(null, null, 0, null, false, "other"), 1, shapes.NextPageToken, CancellationToken.None));
    }

    [Fact]
    public async Task A_forged_page_token_is_rejected()
    {
        var store = await NewStoreAsync();

        var error = await Assert.ThrowsAsync<DomainException>(() =>
            store.ListAsync(new EvaluationFilter(null, null, 0, null, false), 10, "not-base64!", CancellationToken.None));
        Assert.Contains("not a token this service issued", error.Message);
    }

    [Fact]
    public async Task Saving_an_id_twice_fails_and_keeps_the_first()
    {
        var store = await NewStoreAsync();
        var first = Sample("dup", "job-a", DateTime.UtcNow, null);
        await store.SaveAsync(first, CancellationToken.None);

        var error = await Assert.ThrowsAnyAsync<DbUpdateException>(() => store.SaveAsync(Sample("dup", "job-z", DateTime.UtcNow, null), CancellationToken.None));

        Assert.Equal(DbErrorKind.UniqueViolation, DbErrors.Classify(error));
        Assert.Equal("job-a", (await store.FindAsync("dup", CancellationToken.None))!.JobId);
    }

    private async Task<EfEvaluationStore> NewStoreAsync([System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var options = await server.CreateDatabaseAsync($"{GetType().Name}_{test}".ToLowerInvariant()[..Math.Min(60, $"{GetType().Name}_{test}".Length)]);
        var factory = new Factory(ServiceDatabase.CreateOptions<MetricsDbContext>(options));
        await using (var db = factory.CreateDbContext())
        {
            await db.Database.MigrateAsync();
        }

        return new EfEvaluationStore(factory);
    }

    private static Evaluation Sample(string id, string job, DateTime created, (string Name, int Version)? model)
    {
        var evaluation = new Evaluation
        {
            Id = id,
            Kind = EvaluationKind.Classification,
            JobId = job,
            SampleCount = 10,
            CreateTime = Timestamp.FromDateTime(created),
            Classification = new ClassificationResult { Top1Accuracy = 0.5, NumClasses = 2 },
        };
        evaluation.Classification.ConfusionMatrix.AddRange([3, 2, 3, 2]);
        evaluation.Summary.Add("accuracy", 0.5);
        if (model is { } m)
        {
            evaluation.ModelVersion = new ModelVersionRef { ModelName = m.Name, Version = m.Version };
        }

        return evaluation;
    }

    private sealed class Factory(DbContextOptions<MetricsDbContext> options) : IDbContextFactory<MetricsDbContext>
    {
        public MetricsDbContext CreateDbContext() => new(options);
    }
}
