using System.Data.Common;

namespace Cauchy.ServiceDefaults.GrpcServer;

/// <summary>
/// Recognises a full disk under a service's data folder, however it surfaced: a write that failed with ENOSPC (an
/// <see cref="IOException"/> whose HResult is the errno on Unix), SQLite's SQLITE_FULL ("database or disk is full") or a
/// database server that ran out of space.
/// </summary>
public static class DiskFull
{
    /// <summary>What a caller is told: the code says "retry later", the sentence says what to do.</summary>
    public const string Message = "no space left on the service's disk: its data folder is full; nothing of this request was kept. Free space (or enlarge the volume) and retry.";

    private const int NoSpaceErrno = 28;

    /// <summary>Whether <paramref name="exception"/> or one of its inner exceptions is a full disk.</summary>
    public static bool IsCause(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is IOException { HResult: NoSpaceErrno } || (e is IOException && e.Message.Contains("No space left on device", StringComparison.Ordinal)))
            {
                return true;
            }

            // SQLite's SQLITE_FULL; PostgreSQL quotes the operating system's "No space left on device".
            if (e is DbException && (e.Message.Contains("database or disk is full", StringComparison.Ordinal) || e.Message.Contains("No space left on device", StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }
}
