using Microsoft.EntityFrameworkCore;

namespace Cauchy.Data;

/// <summary>
/// Runs a read-modify-write unit of work with optimistic concurrency: each attempt gets a fresh DbContext (so it reads
/// current rows), and an attempt that loses a race (<see cref="DbErrorKind.ConcurrencyConflict"/> or
/// <see cref="DbErrorKind.TransientConflict"/>) is run again, up to <c>attempts</c> times. The last conflict propagates;
/// <see cref="DbErrors.ToDomainException"/> makes it an Aborted refusal.
/// </summary>
public static class ConcurrencyRetry
{
    public const int DefaultAttempts = 5;

    public static async Task<T> RunAsync<TContext, T>(
        IDbContextFactory<TContext> factory,
        Func<TContext, CancellationToken, Task<T>> work,
        CancellationToken cancellationToken = default,
        int attempts = DefaultAttempts)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(work);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            try
            {
                return await work(db, cancellationToken);
            }
            catch (Exception e) when (attempt < attempts && IsConflict(e))
            {
                // A short, growing, jittered pause so that racing writers do not collide again in lock step.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20) * attempt), cancellationToken);
            }
        }
    }

    private static bool IsConflict(Exception e) =>
        DbErrors.Classify(e) is DbErrorKind.ConcurrencyConflict or DbErrorKind.TransientConflict;
}
