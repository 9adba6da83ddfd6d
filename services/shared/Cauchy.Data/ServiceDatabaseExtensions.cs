using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cauchy.Data;

/// <summary>Wires a service's own database: <c>builder.AddServiceDatabase&lt;RegistryDbContext&gt;("registry")</c>.</summary>
public static class ServiceDatabaseExtensions
{
    /// <summary>
    /// Binds section "Database" (<see cref="DatabaseOptions"/>), resolves the connection string (default: SQLite file
    /// <c>&lt;Data:Root&gt;/&lt;databaseName&gt;.db</c>, Data:Root defaulting to "data") and registers
    /// <see cref="IDbContextFactory{TContext}"/> (singleton) plus a scoped <typeparamref name="TContext"/>, and the resolved
    /// <see cref="DatabaseOptions"/>. Migrations are applied by <see cref="MigrateDatabaseAsync{TContext}"/>.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase<TContext>(this IHostApplicationBuilder builder, string databaseName)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(databaseName);
        var options = builder.Configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        options.ConnectionString = options.ResolveConnectionString(databaseName, DataRoot(builder.Configuration));
        builder.Services.AddSingleton(options);
        builder.Services.AddDbContextFactory<TContext>(db =>
            ServiceDatabase.Configure(db, options, typeof(TContext).Assembly.GetName().Name!));
        return builder;
    }

    /// <summary>The service's data directory: Data:Root (set per service by `make up`), default "data" under the working directory.</summary>
    public static string DataRoot(IConfiguration configuration) =>
        Path.GetFullPath(configuration["Data:Root"] is { Length: > 0 } root ? root : "data");

    /// <summary>
    /// Applies <typeparamref name="TContext"/>'s pending migrations (creating the database if needed) unless
    /// Database:MigrateOnStartup is false. Call it between Build() and Run(): the gRPC port opens only after it returns,
    /// so no request ever meets an old schema. Several replicas starting at once are safe: EF takes a migration lock.
    /// </summary>
    public static async Task MigrateDatabaseAsync<TContext>(this IHost host, CancellationToken cancellationToken = default)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(host);
        var options = host.Services.GetRequiredService<DatabaseOptions>();
        if (!options.MigrateOnStartup)
        {
            return;
        }
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Cauchy.Data.Migrations");
        var factory = host.Services.GetRequiredService<IDbContextFactory<TContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await DatabaseMigrator.MigrateAsync(db, logger, cancellationToken);
    }
}
