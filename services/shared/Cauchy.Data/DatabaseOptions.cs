namespace Cauchy.Data;

/// <summary>
/// Section "Database" of a service's configuration (environment: CAUCHY_DATABASE__PROVIDER, CAUCHY_DATABASE__CONNECTIONSTRING).
/// Every service has a database of its own; nothing here is shared between services.
/// </summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>"sqlite" (the default) or "postgres" (also accepted: "postgresql", "npgsql").</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>
    /// ADO.NET connection string. Empty for SQLite means "Data Source=&lt;Data:Root&gt;/&lt;database name&gt;.db";
    /// PostgreSQL needs one (Host=...;Port=...;Database=...;Username=...;Password=...).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Seconds a single command may run before it fails; also how long SQLite waits for a locked file.</summary>
    public int CommandTimeoutSeconds { get; set; } = 30;

    /// <summary>Whether the service applies its pending migrations at start-up (before its gRPC port opens).</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>The parsed <see cref="Provider"/>; an unknown name is an <see cref="ArgumentException"/> that names it.</summary>
    public DatabaseProvider ParsedProvider => Provider.Trim().ToLowerInvariant() switch
    {
        "sqlite" or "" => DatabaseProvider.Sqlite,
        "postgres" or "postgresql" or "npgsql" => DatabaseProvider.Postgres,
        _ => throw new ArgumentException($"Database:Provider is '{Provider}'; it must be 'sqlite' or 'postgres'."),
    };

    /// <summary>
    /// The connection string to use: the configured one, or for SQLite the embedded default file
    /// <paramref name="dataRoot"/>/<paramref name="databaseName"/>.db (whose folder is created).
    /// </summary>
    public string ResolveConnectionString(string databaseName, string dataRoot)
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString))
        {
            return ConnectionString;
        }
        if (ParsedProvider == DatabaseProvider.Postgres)
        {
            throw new ArgumentException("Database:ConnectionString is empty; the postgres provider needs one (Host=...;Database=...;Username=...).");
        }
        var root = Path.GetFullPath(dataRoot);
        Directory.CreateDirectory(root);
        return $"Data Source={Path.Combine(root, databaseName + ".db")}";
    }

    /// <summary>The options for the embedded SQLite file at <paramref name="path"/>.</summary>
    public static DatabaseOptions SqliteFile(string path) => new() { Provider = "sqlite", ConnectionString = $"Data Source={path}" };

    /// <summary>The options for a PostgreSQL database.</summary>
    public static DatabaseOptions Postgres(string connectionString) => new() { Provider = "postgres", ConnectionString = connectionString };

    /// <summary>Provider only: connection strings may hold passwords and never appear in logs.</summary>
    public override string ToString() => $"Database(Provider={ParsedProvider})";
}
