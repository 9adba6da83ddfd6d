using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Cauchy.Data;

/// <summary>Builds DbContext options for either provider; used by the DI wiring and by tests alike.</summary>
public static class ServiceDatabase
{
    /// <summary>Options for <typeparamref name="TContext"/> on the database <paramref name="options"/> names (its connection string must be resolved).</summary>
    public static DbContextOptions<TContext> CreateOptions<TContext>(DatabaseOptions options)
        where TContext : DbContext
    {
        var builder = new DbContextOptionsBuilder<TContext>();
        Configure(builder, options, typeof(TContext).Assembly.GetName().Name!);
        return builder.Options;
    }

    /// <summary>
    /// Points <paramref name="builder"/> at the provider and connection string of <paramref name="options"/>, with the
    /// migrations of <paramref name="migrationsAssembly"/> (the service's own assembly: one provider-neutral migration set,
    /// see the README).
    /// </summary>
    public static void Configure(DbContextOptionsBuilder builder, DatabaseOptions options, string migrationsAssembly)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var connectionString = options.ConnectionString
            ?? throw new ArgumentException("Database:ConnectionString is not resolved; call DatabaseOptions.ResolveConnectionString first.");
        switch (options.ParsedProvider)
        {
            case DatabaseProvider.Sqlite:
                var sqlite = new SqliteConnectionStringBuilder(connectionString)
                {
                    // Microsoft.Data.Sqlite retries a locked database for this long before SQLITE_BUSY reaches the caller.
                    DefaultTimeout = options.CommandTimeoutSeconds,
                    ForeignKeys = true,
                };
                builder.UseSqlite(sqlite.ToString(), sql => sql
                    .MigrationsAssembly(migrationsAssembly)
                    .CommandTimeout(options.CommandTimeoutSeconds));
                break;
            case DatabaseProvider.Postgres:
                builder.UseNpgsql(connectionString, sql => sql
                    .MigrationsAssembly(migrationsAssembly)
                    .CommandTimeout(options.CommandTimeoutSeconds));
                break;
        }
        // Migrations are written by hand (the EF design-time package cannot be restored here), so there is no model
        // snapshot to compare with; MigrationSchemaCheck in the tests compares the migrated schema with the model instead.
        builder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }
}
