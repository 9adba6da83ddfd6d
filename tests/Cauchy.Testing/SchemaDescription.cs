using System.Data.Common;
using Cauchy.Data;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace Cauchy.Testing;

/// <summary>
/// The schema of a database as sorted text lines (tables, columns with type and nullability, indexes, constraints),
/// read from the engine's catalogue. Used to check that hand-written migrations build exactly the schema the EF model
/// describes: migrate one fresh database, EnsureCreated another, compare.
/// </summary>
public static class SchemaDescription
{
    public static async Task<IReadOnlyList<string>> ReadAsync(DbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        var sql = db.Database.IsNpgsql()
            ? """
              SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || coalesce('(' || character_maximum_length || ')', '')
                     || CASE WHEN is_nullable = 'YES' THEN ' null' ELSE ' not null' END || CASE WHEN is_identity = 'YES' THEN ' identity' ELSE '' END
              FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE '__EFMigrations%'
              UNION ALL
              SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE '__EFMigrations%'
              UNION ALL
              SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
              FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT LIKE '"__EFMigrations%'
              """
            : """
              SELECT 'column ' || m.name || '.' || p.name || ' ' || p.type || CASE WHEN p."notnull" THEN ' not null' ELSE ' null' END
                     || CASE WHEN p.pk > 0 THEN ' pk' || p.pk ELSE '' END
              FROM sqlite_master m JOIN pragma_table_info(m.name) p
              WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__EFMigrations%'
              UNION ALL
              SELECT 'index ' || m.name || ' ' || il.name || CASE WHEN il."unique" THEN ' unique' ELSE '' END || ' (' ||
                     (SELECT group_concat(ii.name, ',') FROM pragma_index_info(il.name) ii) || ')'
              FROM sqlite_master m JOIN pragma_index_list(m.name) il
              WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__EFMigrations%'
              UNION ALL
              SELECT 'foreign key ' || m.name || '(' || f."from" || ') -> ' || f."table" || '(' || f."to" || ') on delete ' || f.on_delete
              FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
              WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
              """;
        var lines = new List<string>();
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await connection.OpenAsync();
        }
        try
        {
            await using DbCommand command = connection.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
        }
        finally
        {
            if (opened)
            {
                await connection.CloseAsync();
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>
    /// Fails unless applying <typeparamref name="TContext"/>'s migrations to a fresh database gives the same schema as
    /// EnsureCreated (which builds the schema straight from the model) gives another fresh database.
    /// </summary>
    public static async Task AssertMigrationsMatchModelAsync<TContext>(ITestDatabaseServer server, Func<DbContextOptions<TContext>, TContext> create)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(create);
        await using var migrated = create(ServiceDatabase.CreateOptions<TContext>(await server.CreateDatabaseAsync("migrated")));
        await DatabaseMigrator.MigrateAsync(migrated);
        await using var created = create(ServiceDatabase.CreateOptions<TContext>(await server.CreateDatabaseAsync("created")));
        await created.Database.EnsureCreatedAsync();

        var fromMigrations = await ReadAsync(migrated);
        var fromModel = await ReadAsync(created);
        Assert.NotEmpty(fromModel);
        var missing = fromModel.Except(fromMigrations).ToList();
        var extra = fromMigrations.Except(fromModel).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"The migrations of {typeof(TContext).Name} ({server.Provider}) do not build the model's schema.\n" +
            $"In the model, not in the migrated database:\n  {string.Join("\n  ", missing)}\n" +
            $"In the migrated database, not in the model:\n  {string.Join("\n  ", extra)}");
    }
}
