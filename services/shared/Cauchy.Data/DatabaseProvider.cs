namespace Cauchy.Data;

/// <summary>The database engines a service's metadata can live in.</summary>
public enum DatabaseProvider
{
    /// <summary>An embedded SQLite file under the service's data directory: the default, nothing to install.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server: clusters (the Helm chart) and the integration tests.</summary>
    Postgres,
}
