using Cauchy.Data.Tests.Sample;
using Cauchy.Domain;
using Cauchy.Testing;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace Cauchy.Data.Tests;

/// <summary>What Cauchy.Data promises, run on SQLite and on a real PostgreSQL (the subclasses below).</summary>
public abstract class DataBehaviour(ITestDatabaseServer server)
{
    private async Task<IDbContextFactory<SampleDbContext>> MigratedAsync()
    {
        var options = ServiceDatabase.CreateOptions<SampleDbContext>(await server.DatabaseForAsync(GetType()));
        var factory = new Factory(options);
        await using (var db = factory.CreateDbContext())
        {
            await DatabaseMigrator.MigrateAsync(db);
        }
        return factory;
    }

    private static Widget NewWidget(string? name = null)
    {
        var id = "w-" + Guid.NewGuid().ToString("N")[..12];
        return new Widget { Id = id, Name = name ?? id, CreatedAt = DateTime.UtcNow };
    }

    [Fact]
    public Task Migrations_build_the_schema_of_the_model() =>
        SchemaDescription.AssertMigrationsMatchModelAsync<SampleDbContext>(server, options => new SampleDbContext(options));

    [Fact]
    public async Task Migrating_twice_changes_nothing()
    {
        var factory = await MigratedAsync();
        await using var db = factory.CreateDbContext();
        await DatabaseMigrator.MigrateAsync(db);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Contains("20261122000000_Initial", await db.Database.GetAppliedMigrationsAsync());
    }

    [Fact]
    public async Task New_rows_start_at_version_1_and_each_update_increments_it()
    {
        var factory = await MigratedAsync();
        var widget = NewWidget();
        await using (var db = factory.CreateDbContext())
        {
            db.Widgets.Add(widget);
            await db.SaveChangesAsync();
        }
        await using (var db = factory.CreateDbContext())
        {
            var read = await db.Widgets.SingleAsync(w => w.Id == widget.Id);
            Assert.Equal(1, read.Version);
            read.Counter++;
            await db.SaveChangesAsync();
            read.Counter++;
            await db.SaveChangesAsync();
        }
        await using (var db = factory.CreateDbContext())
        {
            var read = await db.Widgets.SingleAsync(w => w.Id == widget.Id);
            Assert.Equal((3L, 2), (read.Version, read.Counter));
        }
    }

    [Fact]
    public async Task An_update_based_on_a_stale_read_is_a_concurrency_conflict_and_changes_nothing()
    {
        var factory = await MigratedAsync();
        var widget = NewWidget();
        await using (var db = factory.CreateDbContext())
        {
            db.Widgets.Add(widget);
            await db.SaveChangesAsync();
        }
        await using var first = factory.CreateDbContext();
        await using var second = factory.CreateDbContext();
        var a = await first.Widgets.SingleAsync(w => w.Id == widget.Id);
        var b = await second.Widgets.SingleAsync(w => w.Id == widget.Id);
        a.Counter = 10;
        await first.SaveChangesAsync();
        b.Counter = 20;
        var conflict = await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());

        Assert.Equal(DbErrorKind.ConcurrencyConflict, DbErrors.Classify(conflict));
        var refusal = DbErrors.ToDomainException(conflict, $"widget '{widget.Id}'");
        Assert.NotNull(refusal);
        Assert.Equal(DomainErrorKind.Aborted, refusal.Kind);
        Assert.Contains(widget.Id, refusal.Message, StringComparison.Ordinal);
        await using var check = factory.CreateDbContext();
        Assert.Equal(10, (await check.Widgets.SingleAsync(w => w.Id == widget.Id)).Counter);
    }

    [Fact]
    public async Task Concurrent_increments_through_the_retry_helper_are_all_kept()
    {
        var factory = await MigratedAsync();
        var widget = NewWidget();
        await using (var db = factory.CreateDbContext())
        {
            db.Widgets.Add(widget);
            await db.SaveChangesAsync();
        }
        const int Writers = 8;
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(() =>
            ConcurrencyRetry.RunAsync(factory, async (db, ct) =>
            {
                var read = await db.Widgets.SingleAsync(w => w.Id == widget.Id, ct);
                read.Counter++;
                return await db.SaveChangesAsync(ct);
            }, attempts: 50))));
        await using var check = factory.CreateDbContext();
        var final = await check.Widgets.SingleAsync(w => w.Id == widget.Id);
        Assert.Equal(Writers, final.Counter);
        Assert.Equal(1 + Writers, final.Version);
    }

    [Fact]
    public async Task A_duplicate_unique_value_is_a_unique_violation_that_maps_to_already_exists()
    {
        var factory = await MigratedAsync();
        var name = "name-" + Guid.NewGuid().ToString("N");
        await using (var db = factory.CreateDbContext())
        {
            db.Widgets.Add(NewWidget(name));
            await db.SaveChangesAsync();
        }
        await using (var db = factory.CreateDbContext())
        {
            db.Widgets.Add(NewWidget(name));
            var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            Assert.Equal(DbErrorKind.UniqueViolation, DbErrors.Classify(error));
            var refusal = DbErrors.ToDomainException(error, $"widget named '{name}'");
            Assert.Equal(DomainErrorKind.AlreadyExists, refusal?.Kind);
            Assert.Contains(name, refusal!.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_duplicate_primary_key_is_a_unique_violation()
    {
        var factory = await MigratedAsync();
        var widget = NewWidget();
        await using (var db = factory.CreateDbContext())
        {
            db.Widgets.Add(widget);
            await db.SaveChangesAsync();
        }
        await using (var db = factory.CreateDbContext())
        {
            db.Widgets.Add(new Widget { Id = widget.Id, Name = "other-" + widget.Id, CreatedAt = DateTime.UtcNow });
            var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            Assert.True(DbErrors.IsUniqueViolation(error), error.ToString());
        }
    }

    [Fact]
    public async Task A_missing_parent_is_a_foreign_key_violation_that_maps_to_failed_precondition()
    {
        var factory = await MigratedAsync();
        await using var db = factory.CreateDbContext();
        db.Parts.Add(new Part { WidgetId = "no-such-widget", Label = "x" });
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        Assert.Equal(DbErrorKind.ForeignKeyViolation, DbErrors.Classify(error));
        Assert.Equal(DomainErrorKind.FailedPrecondition, DbErrors.ToDomainException(error, "part")?.Kind);
    }

    [Fact]
    public async Task Generated_keys_count_up_on_both_engines()
    {
        var factory = await MigratedAsync();
        var widget = NewWidget();
        await using var db = factory.CreateDbContext();
        db.Widgets.Add(widget);
        var parts = Enumerable.Range(0, 3).Select(i => new Part { WidgetId = widget.Id, Label = $"p{i}" }).ToList();
        db.Parts.AddRange(parts);
        await db.SaveChangesAsync();
        Assert.All(parts, p => Assert.True(p.Id > 0));
        Assert.Equal(3, parts.Select(p => p.Id).Distinct().Count());
    }

    [Fact]
    public async Task Times_come_back_as_utc_with_the_same_instant_and_order_in_queries()
    {
        var factory = await MigratedAsync();
        var early = NewWidget();
        early.CreatedAt = new DateTime(2026, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);
        var late = NewWidget();
        late.CreatedAt = early.CreatedAt.AddHours(30);
        await using (var db = factory.CreateDbContext())
        {
            db.Widgets.AddRange(late, early);
            await db.SaveChangesAsync();
        }
        await using (var db = factory.CreateDbContext())
        {
            var ids = new[] { early.Id, late.Id };
            var read = await db.Widgets.Where(w => ids.Contains(w.Id) && w.CreatedAt >= early.CreatedAt).OrderBy(w => w.CreatedAt).ToListAsync();
            Assert.Equal([early.Id, late.Id], read.Select(w => w.Id));
            Assert.All(read, w => Assert.Equal(DateTimeKind.Utc, w.CreatedAt.Kind));
            Assert.Equal(early.CreatedAt, read[0].CreatedAt);
        }
    }

    private sealed class Factory(DbContextOptions<SampleDbContext> options) : IDbContextFactory<SampleDbContext>
    {
        public SampleDbContext CreateDbContext() => new(options);
    }
}

public sealed class DataOnSqlite(SqliteFixture sqlite) : DataBehaviour(sqlite), IClassFixture<SqliteFixture>;

[Collection(PostgresFixture.CollectionName)]
public sealed class DataOnPostgres(PostgresFixture postgres) : DataBehaviour(postgres);
