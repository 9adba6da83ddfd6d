using Cauchy.Data;
using Cauchy.Domain;
using Cauchy.Orchestrator.Data;
using Cauchy.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>
/// What the job use cases share: the orchestrator's database, the wake-up signals, the options and the clock, and the
/// unit of work every transition runs in. Every transition is one SaveChanges (one transaction) on a freshly read,
/// versioned job row, run through <see cref="ConcurrencyRetry"/>: of two callers racing on one job exactly one
/// commits, and the other re-reads and sees the new state. Nothing lives only in memory; <see cref="JobSignals"/>
/// merely wakes waiters early. One instance serves every use case, so that they all queue behind the same SQLite
/// writer gate.
/// </summary>
public sealed class JobStore(
    IDbContextFactory<OrchestratorDbContext> factory,
    JobSignals signals,
    IOptions<JobsOptions> jobsOptions,
    TimeProvider time)
{
    /// <summary>What a database conflict is about, in the refusal a caller receives.</summary>
    internal const string Subject = "the job";

    /// <summary>How many events or log lines one database read takes, so a long history streams in bounded batches.</summary>
    internal const int ReadBatch = 500;

    /// <summary>
    /// SQLite admits one writer at a time and makes the others sleep and retry (150 ms at a time); queueing this
    /// process's writers here instead keeps the tail latency down. Other processes on the same file still meet the
    /// database's own locking, and PostgreSQL needs no gate.
    /// </summary>
    private readonly SemaphoreSlim _sqliteWriter = new(1, 1);

    internal IDbContextFactory<OrchestratorDbContext> Factory => factory;

    internal JobSignals Signals => signals;

    internal JobsOptions Options { get; } = jobsOptions.Value;

    internal TimeProvider Time => time;

    internal DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// <see cref="TransactCoreAsync"/>, with a conflict that outlasts the retries (or a constraint the write broke)
    /// reported as the refusal a caller can act on, e.g. Aborted "the job was changed by another request ...".
    /// </summary>
    internal async Task<T> TransactAsync<T>(Func<OrchestratorDbContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken, int attempts = ConcurrencyRetry.DefaultAttempts)
    {
        try
        {
            return await TransactCoreAsync(work, cancellationToken, attempts);
        }
        catch (Exception ex) when (DbErrors.ToDomainException(ex, Subject) is { } refusal)
        {
            throw refusal;
        }
    }

    /// <summary>A unit of work through <see cref="ConcurrencyRetry"/>, behind the in-process writer gate on SQLite.</summary>
    internal Task<T> TransactCoreAsync<T>(Func<OrchestratorDbContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken, int attempts = ConcurrencyRetry.DefaultAttempts) =>
        ConcurrencyRetry.RunAsync(factory, async (db, ct) =>
        {
            if (!db.Database.IsSqlite())
            {
                return await work(db, ct);
            }

            await _sqliteWriter.WaitAsync(ct);
            try
            {
                return await work(db, ct);
            }
            finally
            {
                _sqliteWriter.Release();
            }
        }, cancellationToken, attempts);

    /// <summary>
    /// Runs <paramref name="work"/> on the job the lease belongs to, in one transaction, retried on conflicts.
    /// NOT_FOUND for an unknown lease; FAILED_PRECONDITION when the lease is no longer the job's (it ended) or has
    /// run out — in which case the expiry is applied first, so the answer and the stored state agree.
    /// </summary>
    internal Task<T> WithLeaseAsync<T>(string leaseId, Func<OrchestratorDbContext, JobEntity, LeaseEntity, DateTime, Task<T>> work, CancellationToken cancellationToken)
    {
        RequireId("lease_id", leaseId);
        return TransactAsync(async (db, ct) =>
        {
            var lease = await db.Leases.AsNoTracking().SingleOrDefaultAsync(l => l.Id == leaseId, ct) ?? throw JobErrors.LeaseNotFound(leaseId);
            var job = await db.Jobs.SingleAsync(j => j.Id == lease.JobId, ct);
            var now = Now;
            if (job.LeaseId != leaseId)
            {
                throw new DomainException(DomainErrorKind.FailedPrecondition,
                    $"lease '{leaseId}' (attempt {lease.Attempt} of job '{job.Id}') has ended; the job is {JobStateMachine.Name((JobState)job.State)}" +
                    (job.Attempt > lease.Attempt ? $" at attempt {job.Attempt}" : "") + ". Stop the job and discard its work.");
            }

            if (JobTransitions.ExpireIfDue(db, job, now))
            {
                await SaveTransitionAsync(db, ct);
                Pulse(job);
                throw new DomainException(DomainErrorKind.FailedPrecondition,
                    $"lease '{leaseId}' of job '{job.Id}' expired; the job is now {JobStateMachine.Name((JobState)job.State)}. Stop the job and discard its work.");
            }

            return await work(db, job, lease, now);
        }, cancellationToken);
    }

    /// <summary>
    /// Saves a transition. Its events and log lines take the job's next sequence numbers, so a writer that lost a race
    /// can hit their primary key before the job row's version check: that is the same conflict, and is retried as one.
    /// </summary>
    internal static async Task SaveTransitionAsync(OrchestratorDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex is not DbUpdateConcurrencyException && DbErrors.IsUniqueViolation(ex))
        {
            throw new DbUpdateConcurrencyException("another transition of the job took the same sequence number first", ex);
        }
    }

    /// <summary>Wakes lease waiters when the job went back to the queue, watchers otherwise.</summary>
    internal void Pulse(JobEntity job)
    {
        if ((JobState)job.State == JobState.Queued)
        {
            signals.PulseQueue();
        }
        else
        {
            signals.PulseJobs();
        }
    }

    internal static void RequireId(string field, string value)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw DomainException.InvalidArgument(field, "is required");
        }

        // Ids are hex made here; a control character cannot be one, and PostgreSQL refuses a NUL in a query
        // parameter outright, which would turn the caller's mistake into a server fault.
        if (value.Any(char.IsControl))
        {
            throw DomainException.InvalidArgument(field, "contains control characters, which no id has");
        }
    }

    /// <summary>Until the signal fires or the poll interval passes: the signal only shortens the wait.</summary>
    internal static async Task WaitAsync(Task signal, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await Task.WhenAny(signal, Task.Delay(timeout, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
    }

    internal static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
