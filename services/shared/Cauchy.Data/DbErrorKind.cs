namespace Cauchy.Data;

/// <summary>What went wrong in a database call, the same on SQLite and PostgreSQL.</summary>
public enum DbErrorKind
{
    /// <summary>Not one of the kinds below (a bug, a lost connection ...): not the caller's mistake.</summary>
    Other,

    /// <summary>A unique index or primary key already holds the value (PostgreSQL 23505, SQLite UNIQUE/PRIMARYKEY).</summary>
    UniqueViolation,

    /// <summary>A row refers to a missing row, or a referenced row is being deleted (PostgreSQL 23503, SQLite FOREIGNKEY).</summary>
    ForeignKeyViolation,

    /// <summary>A required column got NULL (PostgreSQL 23502, SQLite NOTNULL).</summary>
    NotNullViolation,

    /// <summary>The row was changed by someone else since it was read (the <see cref="IVersioned"/> token).</summary>
    ConcurrencyConflict,

    /// <summary>The database gave up on the transaction to keep others consistent: retrying may succeed
    /// (PostgreSQL 40001/40P01, SQLite BUSY/LOCKED after its timeout).</summary>
    TransientConflict,
}
