using Cauchy.Domain;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cauchy.Data;

/// <summary>Recognises common database errors on both providers and reports the ones a caller can act on in domain terms.</summary>
public static class DbErrors
{
    // https://www.sqlite.org/rescode.html
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintForeignKey = 787;
    private const int SqliteConstraintNotNull = 1299;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    /// <summary>The kind of <paramref name="exception"/> (or of the provider exception inside it).</summary>
    public static DbErrorKind Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is DbUpdateConcurrencyException)
        {
            return DbErrorKind.ConcurrencyConflict;
        }
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg:
                    return pg.SqlState switch
                    {
                        PostgresErrorCodes.UniqueViolation => DbErrorKind.UniqueViolation,
                        PostgresErrorCodes.ForeignKeyViolation => DbErrorKind.ForeignKeyViolation,
                        PostgresErrorCodes.NotNullViolation => DbErrorKind.NotNullViolation,
                        PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected => DbErrorKind.TransientConflict,
                        _ => DbErrorKind.Other,
                    };
                case SqliteException sqlite:
                    return (sqlite.SqliteErrorCode, sqlite.SqliteExtendedErrorCode) switch
                    {
                        (SqliteConstraint, SqliteConstraintUnique or SqliteConstraintPrimaryKey) => DbErrorKind.UniqueViolation,
                        (SqliteConstraint, SqliteConstraintForeignKey) => DbErrorKind.ForeignKeyViolation,
                        (SqliteConstraint, SqliteConstraintNotNull) => DbErrorKind.NotNullViolation,
                        (SqliteBusy or SqliteLocked, _) => DbErrorKind.TransientConflict,
                        _ => DbErrorKind.Other,
                    };
            }
        }
        return DbErrorKind.Other;
    }

    public static bool IsUniqueViolation(Exception exception) => Classify(exception) == DbErrorKind.UniqueViolation;

    /// <summary>
    /// The refusal a database error about <paramref name="subject"/> (e.g. "model 'resnet'") means to the caller, or null
    /// when it is not one a caller can act on (let it propagate: the server answers INTERNAL and logs it).
    /// Unique violation → AlreadyExists; foreign key → FailedPrecondition; concurrency and transient conflicts → Aborted
    /// ("a concurrent change got in the way; retry the read-modify-write"). The original error is the inner exception.
    /// </summary>
    public static DomainException? ToDomainException(Exception exception, string subject) => Classify(exception) switch
    {
        DbErrorKind.UniqueViolation => new DomainException(DomainErrorKind.AlreadyExists, $"{subject} already exists.", exception),
        DbErrorKind.ForeignKeyViolation => new DomainException(DomainErrorKind.FailedPrecondition,
            $"{subject} refers to something that does not exist, or something else still refers to it.", exception),
        DbErrorKind.ConcurrencyConflict or DbErrorKind.TransientConflict => new DomainException(DomainErrorKind.Aborted,
            $"{subject} was changed by another request at the same time; read it again and retry.", exception),
        _ => null,
    };
}
