using Cauchy.Data;
using Microsoft.Data.Sqlite;

namespace Cauchy.Testing;

/// <summary>Fresh SQLite database files in a temporary folder of their own, removed on dispose.</summary>
public sealed class SqliteFixture : TestDatabaseServerBase, IDisposable
{
    public string Directory { get; } = TempDirectory.Create("cauchy-sqlite");

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override Task<DatabaseOptions> CreateDatabaseAsync(string name) =>
        Task.FromResult(DatabaseOptions.SqliteFile(Path.Combine(Directory, UniqueName(name) + ".db")));

    public void Dispose()
    {
        // Pooled connections keep the files open; release them before deleting.
        SqliteConnection.ClearAllPools();
        TempDirectory.Delete(Directory);
    }
}
