using Cauchy.Data.Tests.Sample;
using Cauchy.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Cauchy.Data.Tests;

public sealed class DatabaseConfigurationTests
{
    [Fact]
    public async Task The_embedded_default_is_a_sqlite_file_named_after_the_database_under_data_root_migrated_on_demand()
    {
        var root = TempDirectory.Create("cauchy-data-root");
        try
        {
            var builder = WebApplication.CreateBuilder();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Data:Root"] = Path.Combine(root, "svc") });
            builder.AddServiceDatabase<SampleDbContext>("sample");
            await using var app = builder.Build();
            await app.MigrateDatabaseAsync<SampleDbContext>();

            var options = app.Services.GetRequiredService<DatabaseOptions>();
            Assert.Equal(DatabaseProvider.Sqlite, options.ParsedProvider);
            Assert.True(File.Exists(Path.Combine(root, "svc", "sample.db")));
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.Empty(await db.Widgets.ToListAsync());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            TempDirectory.Delete(root);
        }
    }

    [Fact]
    public void Postgres_without_a_connection_string_is_refused_naming_the_key()
    {
        var error = Assert.Throws<ArgumentException>(() => new DatabaseOptions { Provider = "postgres" }.ResolveConnectionString("x", "data"));
        Assert.Contains("Database:ConnectionString", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_provider_is_refused_naming_it()
    {
        var error = Assert.Throws<ArgumentException>(() => new DatabaseOptions { Provider = "oracle" }.ParsedProvider);
        Assert.Contains("'oracle'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_never_print_the_connection_string()
    {
        var options = DatabaseOptions.Postgres("Host=db;Username=u;Password=hunter2");
        Assert.DoesNotContain("hunter2", options.ToString(), StringComparison.Ordinal);
    }
}
