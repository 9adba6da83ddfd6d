using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Cauchy.Data;

/// <summary>
/// Base of every service's DbContext: the conventions that make one model behave the same on SQLite and PostgreSQL.
/// <list type="bullet">
/// <item>Entities implementing <see cref="IVersioned"/> get an application-managed concurrency token (see there).</item>
/// <item><see cref="DateTime"/> values are stored as UTC and read back with <see cref="DateTimeKind.Utc"/> (SQLite keeps no kind,
/// PostgreSQL's timestamptz accepts only UTC). Use DateTime, not DateTimeOffset: SQLite cannot order or compare DateTimeOffset.</item>
/// </list>
/// </summary>
public abstract class ServiceDbContext(DbContextOptions options) : DbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Conventions.Add(_ => new VersionTokenConvention());
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        BumpVersions();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        BumpVersions();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    private void BumpVersions()
    {
        foreach (var entry in ChangeTracker.Entries<IVersioned>())
        {
            if (entry.State == EntityState.Modified)
            {
                // The original value stays what was read, so the UPDATE's WHERE clause checks it.
                entry.Entity.Version = entry.Property(e => e.Version).OriginalValue + 1;
            }
            else if (entry.State == EntityState.Added && entry.Entity.Version == 0)
            {
                entry.Entity.Version = 1;
            }
        }
    }

    /// <summary>Marks IVersioned.Version as a concurrency token once the whole model is known.</summary>
    private sealed class VersionTokenConvention : IModelFinalizingConvention
    {
        public void ProcessModelFinalizing(IConventionModelBuilder modelBuilder, IConventionContext<IConventionModelBuilder> context)
        {
            foreach (var entity in modelBuilder.Metadata.GetEntityTypes())
            {
                if (typeof(IVersioned).IsAssignableFrom(entity.ClrType) && entity.BaseType is null)
                {
                    entity.FindProperty(nameof(IVersioned.Version))?.Builder.IsConcurrencyToken(true);
                }
            }
        }
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        value => value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc),
        value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
