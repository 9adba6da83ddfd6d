using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Cauchy.Data;
using Cauchy.Domain;
using Cauchy.Orchestrator.Data;
using Cauchy.Orchestrator.Datasets;
using Cauchy.Orchestrator.Models;
using Cauchy.Orchestrator.Specs;
using Cauchy.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>
/// The job queue and state machine over the orchestrator's database. Every transition is one SaveChanges (one
/// transaction) on a freshly read, versioned job row, run through <see cref="ConcurrencyRetry"/>: of two callers
/// racing on one job exactly one commits, and the other re-reads and sees the new state. Nothing lives only in
/// memory; <see cref="JobSignals"/> merely wakes waiters early.
/// </summary>
public sealed class JobQueue(
    IDbContextFactory<OrchestratorDbContext> factory,
    IDatasetCatalog datasets,
    IModelCatalog models,
    JobSignals signals,
    IOptions<JobsOptions> jobsOptions,
    TimeProvider time,
    ILogger<JobQueue> logger)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 1000;
    public const int MaxIdempotencyKeyLength = 128;
    public const int MaxWorkerIdLength = 253;
    public const int MaxMetricNameLength = 200;
    private const int ReadBatch = 500;

    /// <summary>What a database conflict is about, in the refusal a caller receives.</summary>
    private const string Subject = "the job";

    private readonly JobsOptions options = jobsOptions.Value;

    /// <summary>
    /// SQLite admits one writer at a time and makes the others sleep and retry (150 ms at a time); queueing this
    /// process's writers here instead keeps the tail latency down. Other processes on the same file still meet the
    /// database's own locking, and PostgreSQL needs no gate.
    /// </summary>
    private readonly SemaphoreSlim sqliteWriter = new(1, 1);

    public JobsOptions Options => options;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Validates, resolves and (unless validate_only) queues a job; see SubmitJob in jobs.proto.</summary>
    /// <exception cref="InvalidJobSpecException">The spec or hypes document is invalid.</exception>
    public async Task<SubmitResult> SubmitAsync(SubmitJobRequest request, CancellationToken cancellationToken)
    {
        var key = request.IdempotencyKey;
        if (key.Length > MaxIdempotencyKeyLength)
        {
            throw DomainException.InvalidArgument("idempotency_key", $"is {key.Length} characters long; at most {MaxIdempotencyKeyLength} are allowed");
        }

        var submitted = JobSpecReader.Read(request);
        if (key.Length > 0 && await FindByKeyAsync(key, submitted, cancellationToken) is { } earlier)
        {
            return earlier;
        }

        var resolved = await ResolveDatasetAsync(submitted, cancellationToken);
        var now = Now;
        var record = new JobRecord
        {
            Id = Guid.CreateVersion7().ToString("N"),
            State = (int)JobState.Unspecified,
            Priority = resolved.Priority,
            CreatedAt = now,
            UpdatedAt = now,
            DisplayName = resolved.DisplayName,
            DatasetId = resolved.Dataset.DatasetId,
            DatasetVersionId = resolved.Dataset.VersionId,
            Architecture = resolved.Model.Architecture,
            Gpus = resolved.Resources.Device == DeviceKind.Cuda ? Math.Max(1, resolved.Resources.Gpus) : resolved.Resources.Gpus,
            MemoryBytes = resolved.Resources.MemoryBytes,
            GpuMemoryBytes = resolved.Resources.GpuMemoryBytes,
            IdempotencyKey = key.Length > 0 ? key : null,
            Spec = resolved.ToByteArray(),
            SubmittedSpec = submitted.ToByteArray(),
            MaxRetries = resolved.MaxRetries,
            MaxRunTicks = resolved.MaxRunDuration?.ToTimeSpan().Ticks ?? 0,
        };
        if (request.ValidateOnly)
        {
            var preview = JobRecords.ToProto(record);
            preview.Id = "";
            preview.State = JobState.Queued;
            return new SubmitResult(preview, false);
        }

        try
        {
            await TransactCoreAsync(async (db, ct) =>
            {
                await InsertAsync(db, record, resolved, key, now, ct);
                return true;
            }, cancellationToken, attempts: 1);
        }
        catch (SubmitRaceLostException)
        {
            return await FindByKeyAsync(key, submitted, cancellationToken)
                ?? throw new DomainException(DomainErrorKind.FailedPrecondition, $"idempotency_key '{key}' changed hands during the submission; submit again");
        }
        catch (DbUpdateException ex) when (key.Length > 0 && (ex is DbUpdateConcurrencyException || DbErrors.IsUniqueViolation(ex)))
        {
            // Another submission with the same key committed first: answer as if this one were its retry.
            if (await FindByKeyAsync(key, submitted, cancellationToken) is { } winner)
            {
                return winner;
            }

            // Both kinds the filter lets in are ones ToDomainException words (ALREADY_EXISTS or ABORTED).
            throw DbErrors.ToDomainException(ex, Subject)!;
        }
        catch (Exception ex) when (DbErrors.ToDomainException(ex, Subject) is { } refusal)
        {
            throw refusal;
        }

        logger.LogInformation("Job {JobId} queued: {Architecture} on {Dataset}@{Version}, priority {Priority}",
            record.Id, record.Architecture, record.DatasetId, record.DatasetVersionId, record.Priority);
        signals.PulseQueue();
        return new SubmitResult(JobRecords.ToProto(record), false);
    }

    /// <summary>Adds the job, its labels and its first event; a key older than the window is taken from its old job.</summary>
    private async Task InsertAsync(OrchestratorDbContext db, JobRecord record, JobSpec resolved, string key, DateTime now, CancellationToken cancellationToken)
    {
        if (key.Length > 0)
        {
            // A key older than the window is forgotten: the old job keeps its id but gives the key up. A key inside
            // the window here means a concurrent submission with it committed since we looked.
            var holders = await db.Jobs.Where(j => j.IdempotencyKey == key).ToListAsync(cancellationToken);
            if (holders.Any(j => j.CreatedAt > now - options.IdempotencyWindow))
            {
                throw new SubmitRaceLostException();
            }

            holders.ForEach(j => j.IdempotencyKey = null);
        }

        db.Jobs.Add(record);
        db.JobLabels.AddRange(resolved.Labels.Select(l => new JobLabelRecord { JobId = record.Id, Key = l.Key, Value = l.Value }));
        JobRecords.ChangeState(db, record, JobState.Queued, "submitted", now);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>A submission with the same key committed between our look-up and our insert.</summary>
    private sealed class SubmitRaceLostException : Exception;

    /// <summary>
    /// <see cref="TransactCoreAsync"/>, with a conflict that outlasts the retries (or a constraint the write broke)
    /// reported as the refusal a caller can act on, e.g. Aborted "the job was changed by another request ...".
    /// </summary>
    private async Task<T> TransactAsync<T>(Func<OrchestratorDbContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken, int attempts = ConcurrencyRetry.DefaultAttempts)
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
    private Task<T> TransactCoreAsync<T>(Func<OrchestratorDbContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken, int attempts = ConcurrencyRetry.DefaultAttempts) =>
        ConcurrencyRetry.RunAsync(factory, async (db, ct) =>
        {
            if (!db.Database.IsSqlite())
            {
                return await work(db, ct);
            }

            await sqliteWriter.WaitAsync(ct);
            try
            {
                return await work(db, ct);
            }
            finally
            {
                sqliteWriter.Release();
            }
        }, cancellationToken, attempts);

    public async Task<Job> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        RequireId("job_id", jobId);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var record = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId, cancellationToken)
            ?? throw JobErrors.JobNotFound(jobId);
        return JobRecords.ToProto(record);
    }

    /// <summary>Jobs matching the filter, newest first, keyset-paginated on (creation time, id).</summary>
    public async Task<JobPage> ListAsync(ListJobsRequest request, CancellationToken cancellationToken)
    {
        if (request.PageSize < 0)
        {
            throw DomainException.InvalidArgument("page_size", $"must not be negative, got {request.PageSize}");
        }

        var pageSize = request.PageSize == 0 ? DefaultPageSize : Math.Min(request.PageSize, MaxPageSize);
        var filterHash = FilterHash(request);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var query = db.Jobs.AsNoTracking();
        if (request.States.Count > 0)
        {
            var states = request.States.Select(s => (int)s).Distinct().ToList();
            query = query.Where(j => states.Contains(j.State));
        }

        if (request.DatasetId.Length > 0)
        {
            query = query.Where(j => j.DatasetId == request.DatasetId);
        }

        foreach (var (key, value) in request.LabelSelector)
        {
            query = query.Where(j => db.JobLabels.Any(l => l.JobId == j.Id && l.Key == key && l.Value == value));
        }

        if (request.PageToken.Length > 0)
        {
            var (after, afterId) = DecodeToken(request.PageToken, filterHash);
            query = query.Where(j => j.CreatedAt < after || (j.CreatedAt == after && string.Compare(j.Id, afterId) < 0));
        }

        var records = await query
            .OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id)
            .Take(pageSize + 1)
            .ToListAsync(cancellationToken);
        var next = records.Count > pageSize ? EncodeToken(records[pageSize - 1], filterHash) : null;
        return new JobPage(records.Take(pageSize).Select(JobRecords.ToProto).ToList(), next);
    }

    /// <summary>QUEUED → CANCELLED, RUNNING → CANCELLING; CANCELLING and CANCELLED stay; SUCCEEDED and FAILED refuse.</summary>
    public async Task<Job> CancelAsync(string jobId, string reason, CancellationToken cancellationToken)
    {
        RequireId("job_id", jobId);
        var job = await TransactAsync(async (db, ct) =>
        {
            var record = await db.Jobs.SingleOrDefaultAsync(j => j.Id == jobId, ct) ?? throw JobErrors.JobNotFound(jobId);
            if (JobStateMachine.Cancel((JobState)record.State, record.Id) is not { } next)
            {
                return record;
            }

            var now = Now;
            var why = reason.Length > 0 ? $"cancelled: {reason}" : "cancelled";
            JobRecords.AppendLog(db, record, now, JobRecords.OrchestratorWorkerId,
                next == JobState.Cancelling ? $"{why}; waiting for worker '{record.WorkerId}' to stop" : why);
            JobRecords.ChangeState(db, record, next, why, now);
            await SaveTransitionAsync(db, ct);
            return record;
        }, cancellationToken);
        signals.PulseJobs();
        return JobRecords.ToProto(job);
    }

    /// <summary>
    /// Leases the best fitting queued job to the worker: highest priority, then oldest. Waits up to
    /// <paramref name="wait"/> (at most Jobs:MaxLeaseWaitSeconds) for one; null when none came.
    /// </summary>
    public async Task<LeaseGrant?> LeaseAsync(string workerId, DeviceInfo? device, IReadOnlyCollection<string> architectures, TimeSpan wait, CancellationToken cancellationToken)
    {
        RequireId("worker_id", workerId);
        if (workerId.Length > MaxWorkerIdLength)
        {
            throw DomainException.InvalidArgument("worker_id", $"is {workerId.Length} characters long; at most {MaxWorkerIdLength} are allowed");
        }

        if (device is null)
        {
            throw DomainException.InvalidArgument("device", "is required: the worker's device kind, GPU count and memory");
        }

        if (device.Kind is not (DeviceKind.Cpu or DeviceKind.Cuda))
        {
            throw DomainException.InvalidArgument("device.kind", "is required: cpu or cuda");
        }

        if (wait < TimeSpan.Zero)
        {
            throw DomainException.InvalidArgument("wait", "must not be negative");
        }

        var fit = WorkerFit.Of(device, architectures);
        var deadline = time.GetTimestamp() + (long)(Min(wait, options.MaxLeaseWait).TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            var queueChanged = signals.QueueChanged;
            if (await TryLeaseAsync(workerId, fit, cancellationToken) is { } grant)
            {
                return grant;
            }

            var remaining = TimeSpan.FromSeconds((double)(deadline - time.GetTimestamp()) / time.TimestampFrequency);
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            await WaitAsync(queueChanged, Min(remaining, options.Poll), cancellationToken);
        }
    }

    /// <summary>Renews the lease and records progress, metrics, the checkpoint and a finished epoch.</summary>
    public async Task<HeartbeatResult> HeartbeatAsync(HeartbeatRequest request, CancellationToken cancellationToken)
    {
        ValidateMetrics("metrics", request.Metrics);
        var result = await WithLeaseAsync(request.LeaseId, async (db, job, lease, now) =>
        {
            job.LeaseExpiresAt = now + options.Lease;
            job.UpdatedAt = now;
            if (request.Progress is { } progress)
            {
                job.Progress = progress.ToByteArray();
                JobRecords.AppendEvent(db, job, now, new JobEvent { Progress = progress });
            }

            await RecordMetricsAsync(db, job, request.Metrics, now);
            if (request.Checkpoint is { } checkpoint && (job.LatestCheckpoint is null || checkpoint.Step >= job.CheckpointStep))
            {
                checkpoint = checkpoint.Clone();
                checkpoint.CreateTime ??= Timestamp.FromDateTime(now);
                job.LatestCheckpoint = checkpoint.ToByteArray();
                job.CheckpointStep = checkpoint.Step;
            }

            if (request.CompletedEpoch > job.LastCompletedEpoch)
            {
                job.LastCompletedEpoch = request.CompletedEpoch;
                var epoch = new EpochCompleted { Epoch = request.CompletedEpoch };
                epoch.Metrics.AddRange(request.Metrics);
                JobRecords.AppendEvent(db, job, now, new JobEvent { EpochCompleted = epoch });
            }

            await SaveTransitionAsync(db, cancellationToken);
            return new HeartbeatResult(job.LeaseExpiresAt.Value, (JobState)job.State == JobState.Cancelling);
        }, cancellationToken);
        signals.PulseJobs();
        return result;
    }

    /// <summary>RUNNING or CANCELLING → SUCCEEDED with the registered model version.</summary>
    public async Task<Job> CompleteAsync(CompleteJobRequest request, CancellationToken cancellationToken)
    {
        if (request.ResultModelVersion is not { } model || model.ModelName.Length == 0 || model.Version < 1)
        {
            throw DomainException.InvalidArgument("result_model_version", "is required: the registered model's name and version (≥ 1)");
        }

        ValidateMetrics("metrics", request.Metrics);
        var job = await WithLeaseAsync(request.LeaseId, async (db, job, lease, now) =>
        {
            var next = JobStateMachine.Complete((JobState)job.State, job.Id);
            await RecordMetricsAsync(db, job, request.Metrics, now);
            job.ResultModelName = model.ModelName;
            job.ResultModelVersion = model.Version;
            job.ResultModelVersionId = model.VersionId;
            job.ErrorMessage = "";
            JobRecords.AppendLog(db, job, now, JobRecords.OrchestratorWorkerId, $"succeeded: registered {model.ModelName}:{model.Version}");
            JobRecords.ChangeState(db, job, next, $"completed by worker '{lease.WorkerId}': {model.ModelName}:{model.Version}", now);
            await SaveTransitionAsync(db, cancellationToken);
            return job;
        }, cancellationToken);
        signals.PulseJobs();
        return JobRecords.ToProto(job);
    }

    /// <summary>A failed (or cancelled-and-stopped) attempt: requeue, fail or cancel per the state machine.</summary>
    public async Task<Job> FailAsync(FailJobRequest request, CancellationToken cancellationToken)
    {
        var job = await WithLeaseAsync(request.LeaseId, async (db, job, lease, now) =>
        {
            var error = request.ErrorMessage.Length > 0 ? request.ErrorMessage : "the worker reported a failure without a message";
            var (next, counts) = JobStateMachine.Fail((JobState)job.State, job.Id, request.Retryable, job.FailureCount, job.MaxRetries);
            EndAttempt(db, job, next, counts, counts ? error : "stopped after cancellation", $"attempt {job.Attempt} failed on worker '{lease.WorkerId}'", now);
            await SaveTransitionAsync(db, cancellationToken);
            return job;
        }, cancellationToken);
        Pulse(job);
        return JobRecords.ToProto(job);
    }

    /// <summary>The worker gives the job back without fault: RUNNING → QUEUED (not counted), CANCELLING → CANCELLED.</summary>
    public async Task<Job> ReleaseAsync(ReleaseJobRequest request, CancellationToken cancellationToken)
    {
        var job = await WithLeaseAsync(request.LeaseId, async (db, job, lease, now) =>
        {
            var next = JobStateMachine.Release((JobState)job.State, job.Id);
            var why = $"released by worker '{lease.WorkerId}'" + (request.Reason.Length > 0 ? $": {request.Reason}" : "");
            EndAttempt(db, job, next, countsAsFailure: false, error: null, why, now);
            await SaveTransitionAsync(db, cancellationToken);
            return job;
        }, cancellationToken);
        Pulse(job);
        return JobRecords.ToProto(job);
    }

    /// <summary>Appends log lines under the lease; the server numbers them in arrival order.</summary>
    public async Task<int> AppendLogsAsync(string leaseId, IReadOnlyList<LogLine> lines, CancellationToken cancellationToken)
    {
        if (lines.Count == 0)
        {
            await WithLeaseAsync(leaseId, (_, _, _, _) => Task.FromResult(0), cancellationToken);
            return 0;
        }

        await WithLeaseAsync(leaseId, async (db, job, lease, now) =>
        {
            foreach (var line in lines)
            {
                var text = line.Text.TrimEnd('\n', '\r');
                JobRecords.AppendLog(db, job, line.Time?.ToDateTime() ?? now, lease.WorkerId, text);
            }

            await SaveTransitionAsync(db, cancellationToken);
            return 0;
        }, cancellationToken);
        signals.PulseJobs();
        return lines.Count;
    }

    /// <summary>
    /// The lease reaper's pass: every job whose lease has run out is moved on by the state machine (RUNNING → QUEUED
    /// or FAILED, CANCELLING → CANCELLED), and every RUNNING job whose attempts together ran past spec.max_run_duration
    /// fails. Idempotent: it acts on what the database says now, so running it twice, or after a restart, changes
    /// nothing more. Returns how many jobs it moved.
    /// </summary>
    public async Task<int> ExpireLeasesAsync(CancellationToken cancellationToken)
    {
        var now = Now;
        var holding = new[] { (int)JobState.Running, (int)JobState.Cancelling };
        var runningState = (int)JobState.Running;
        List<string> due;
        await using (var db = await factory.CreateDbContextAsync(cancellationToken))
        {
            due = await db.Jobs.AsNoTracking()
                .Where(j => holding.Contains(j.State) && j.LeaseExpiresAt != null && j.LeaseExpiresAt <= now)
                .OrderBy(j => j.LeaseExpiresAt).Select(j => j.Id).Take(100)
                .ToListAsync(cancellationToken);
            // Time arithmetic differs between the engines, so the run-time check is done here; running jobs are few
            // (one per worker).
            var limited = await db.Jobs.AsNoTracking()
                .Where(j => j.State == runningState && j.MaxRunTicks > 0)
                .Select(j => new { j.Id, j.RunTicks, j.MaxRunTicks, j.AttemptStartedAt })
                .ToListAsync(cancellationToken);
            due.AddRange(limited.Where(j => RunTicks(j.RunTicks, j.AttemptStartedAt, now) > j.MaxRunTicks).Select(j => j.Id).Except(due));
        }

        var moved = 0;
        foreach (var id in due)
        {
            var job = await TransactAsync(async (db, ct) =>
            {
                var record = await db.Jobs.SingleOrDefaultAsync(j => j.Id == id, ct);
                // Looked at again on a fresh row: a heartbeat may have renewed it since the query.
                var at = Now;
                if (record is null || !(ExpireIfDue(db, record, at) || FailIfOverRunTime(db, record, at)))
                {
                    return null;
                }

                await SaveTransitionAsync(db, ct);
                return record;
            }, cancellationToken);
            if (job is not null)
            {
                moved++;
                logger.LogWarning("Job {JobId} (worker {WorkerId}) is now {State}: {Reason}",
                    job.Id, job.WorkerId, JobStateMachine.Name((JobState)job.State), job.ErrorMessage);
                Pulse(job);
            }
        }

        return moved;
    }

    /// <summary>One snapshot of the job, then its events as they are appended, ending after a terminal state change.</summary>
    public async IAsyncEnumerable<JobEvent> WatchAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        RequireId("job_id", jobId);
        var changed = signals.JobsChanged;
        long last;
        Job snapshot;
        await using (var db = await factory.CreateDbContextAsync(cancellationToken))
        {
            var record = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId, cancellationToken)
                ?? throw JobErrors.JobNotFound(jobId);
            snapshot = JobRecords.ToProto(record);
            last = record.EventCount;
        }

        yield return new JobEvent { JobId = jobId, Time = Timestamp.FromDateTime(Now), Snapshot = snapshot };
        if (JobStateMachine.IsTerminal(snapshot.State))
        {
            yield break;
        }

        while (true)
        {
            List<JobEventRecord> events;
            await using (var db = await factory.CreateDbContextAsync(cancellationToken))
            {
                events = await db.JobEvents.AsNoTracking()
                    .Where(e => e.JobId == jobId && e.Sequence > last)
                    .OrderBy(e => e.Sequence).Take(ReadBatch)
                    .ToListAsync(cancellationToken);
            }

            foreach (var record in events)
            {
                last = record.Sequence;
                var jobEvent = JobEvent.Parser.ParseFrom(record.Payload);
                yield return jobEvent;
                if (jobEvent.StateChanged is { } change && JobStateMachine.IsTerminal(change.State))
                {
                    yield break;
                }
            }

            if (events.Count == 0)
            {
                await WaitAsync(changed, options.Poll, cancellationToken);
                changed = signals.JobsChanged;
            }
        }
    }

    /// <summary>
    /// A job's log lines in order, in batches. With <paramref name="follow"/> it waits for new lines until the job is
    /// terminal and every line has been sent.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<LogLine>> StreamLogsAsync(
        string jobId, bool follow, long tailLines, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        RequireId("job_id", jobId);
        if (tailLines < 0 || afterSequence < 0)
        {
            throw DomainException.InvalidArgument(tailLines < 0 ? "tail_lines" : "after_sequence", "must not be negative");
        }

        var first = true;
        var last = afterSequence;
        while (true)
        {
            var changed = signals.JobsChanged;
            JobState state;
            long count;
            await using (var db = await factory.CreateDbContextAsync(cancellationToken))
            {
                var position = await db.Jobs.AsNoTracking().Where(j => j.Id == jobId)
                    .Select(j => new { j.State, j.LogCount }).SingleOrDefaultAsync(cancellationToken)
                    ?? throw JobErrors.JobNotFound(jobId);
                (state, count) = ((JobState)position.State, position.LogCount);
            }

            if (first && tailLines > 0)
            {
                last = Math.Max(last, count - tailLines);
            }

            first = false;
            while (true)
            {
                List<JobLogLineRecord> lines;
                await using (var db = await factory.CreateDbContextAsync(cancellationToken))
                {
                    lines = await db.JobLogLines.AsNoTracking()
                        .Where(l => l.JobId == jobId && l.Sequence > last)
                        .OrderBy(l => l.Sequence).Take(ReadBatch)
                        .ToListAsync(cancellationToken);
                }

                if (lines.Count == 0)
                {
                    break;
                }

                last = lines[^1].Sequence;
                yield return lines.Select(JobRecords.ToProto).ToList();
            }

            if (!follow || (JobStateMachine.IsTerminal(state) && last >= count))
            {
                yield break;
            }

            await WaitAsync(changed, options.Poll, cancellationToken);
        }
    }

    /// <summary>The job's curves: one series per metric name (ordered by name), points by step.</summary>
    public async Task<IReadOnlyList<MetricSeries>> GetMetricsAsync(string jobId, IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        RequireId("job_id", jobId);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        if (!await db.Jobs.AnyAsync(j => j.Id == jobId, cancellationToken))
        {
            throw JobErrors.JobNotFound(jobId);
        }

        var query = db.JobMetricPoints.AsNoTracking().Where(p => p.JobId == jobId);
        if (names.Count > 0)
        {
            var wanted = names.Distinct().ToList();
            query = query.Where(p => wanted.Contains(p.Name));
        }

        var points = await query.ToListAsync(cancellationToken);
        return points
            .GroupBy(p => p.Name)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var series = new MetricSeries { Name = g.Key };
                series.Points.AddRange(g.OrderBy(p => p.Step).Select(p => new MetricValue
                {
                    Name = p.Name,
                    Value = p.Value,
                    Step = p.Step,
                    Epoch = p.Epoch,
                    Time = Timestamp.FromDateTime(p.Time),
                }));
                return series;
            })
            .ToList();
    }

    private async Task<LeaseGrant?> TryLeaseAsync(string workerId, WorkerFit fit, CancellationToken cancellationToken)
    {
        var grant = await TransactAsync(async (db, ct) =>
        {
            var queued = (int)JobState.Queued;
            var query = db.Jobs.Where(j => j.State == queued
                && j.Gpus <= fit.Gpus
                && (j.MemoryBytes == 0 || j.MemoryBytes <= fit.HostMemoryBytes)
                && (j.Gpus == 0 || j.GpuMemoryBytes == 0 || j.GpuMemoryBytes <= fit.GpuMemoryBytes));
            if (fit.Architectures.Count > 0)
            {
                var architectures = fit.Architectures;
                query = query.Where(j => architectures.Contains(j.Architecture));
            }

            var job = await query.OrderByDescending(j => j.Priority).ThenBy(j => j.CreatedAt).ThenBy(j => j.Id).FirstOrDefaultAsync(ct);
            if (job is null)
            {
                return null;
            }

            var now = Now;
            var next = JobStateMachine.Lease((JobState)job.State, job.Id);
            job.Attempt++;
            job.LeaseId = Guid.NewGuid().ToString("N");
            job.WorkerId = workerId;
            job.LeaseExpiresAt = now + options.Lease;
            job.StartedAt ??= now;
            job.AttemptStartedAt = now;
            db.Leases.Add(new LeaseRecord { Id = job.LeaseId, JobId = job.Id, WorkerId = workerId, Attempt = job.Attempt, GrantedAt = now });
            var resume = job.LatestCheckpoint is null ? "a fresh start" : $"resuming from step {job.CheckpointStep}";
            JobRecords.AppendLog(db, job, now, JobRecords.OrchestratorWorkerId, $"attempt {job.Attempt} leased by worker '{workerId}' ({resume})");
            JobRecords.ChangeState(db, job, next, $"leased by worker '{workerId}'", now);
            await SaveTransitionAsync(db, ct);
            return new LeaseGrant(
                JobRecords.ToProto(job),
                job.LeaseId,
                job.LeaseExpiresAt.Value,
                options.HeartbeatInterval,
                job.LatestCheckpoint is null ? null : Checkpoint.Parser.ParseFrom(job.LatestCheckpoint));
        }, cancellationToken);
        if (grant is not null)
        {
            logger.LogInformation("Job {JobId} attempt {Attempt} leased to {WorkerId}", grant.Job.Id, grant.Job.Attempt, workerId);
            signals.PulseJobs();
        }

        return grant;
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the job the lease belongs to, in one transaction, retried on conflicts.
    /// NOT_FOUND for an unknown lease; FAILED_PRECONDITION when the lease is no longer the job's (it ended) or has
    /// run out — in which case the expiry is applied first, so the answer and the stored state agree.
    /// </summary>
    private Task<T> WithLeaseAsync<T>(string leaseId, Func<OrchestratorDbContext, JobRecord, LeaseRecord, DateTime, Task<T>> work, CancellationToken cancellationToken)
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

            if (ExpireIfDue(db, job, now))
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
    private static async Task SaveTransitionAsync(OrchestratorDbContext db, CancellationToken cancellationToken)
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

    /// <summary>Applies the expiry transition when the job's lease has run out; false when it has not.</summary>
    private static bool ExpireIfDue(OrchestratorDbContext db, JobRecord job, DateTime now)
    {
        if (!JobStateMachine.HoldsLease((JobState)job.State) || job.LeaseExpiresAt is not { } expires || expires > now)
        {
            return false;
        }

        var (next, counts) = JobStateMachine.Expire((JobState)job.State, job.Id, job.FailureCount, job.MaxRetries);
        var why = $"lease expired: worker '{job.WorkerId}' sent no heartbeat since {expires:O}";
        EndAttempt(db, job, next, counts, counts ? why : null, why, now);
        return true;
    }

    /// <summary>Fails a RUNNING job whose attempts together ran longer than spec.max_run_duration; false otherwise.</summary>
    private static bool FailIfOverRunTime(OrchestratorDbContext db, JobRecord job, DateTime now)
    {
        if ((JobState)job.State != JobState.Running || job.MaxRunTicks <= 0 || RunTicks(job.RunTicks, job.AttemptStartedAt, now) <= job.MaxRunTicks)
        {
            return false;
        }

        var next = JobStateMachine.RunTimeExceeded((JobState)job.State, job.Id);
        var limit = TimeSpan.FromTicks(job.MaxRunTicks);
        var error = $"max_run_duration exceeded: the attempts ran longer than {limit} together";
        EndAttempt(db, job, next, countsAsFailure: false, error, $"stopped on worker '{job.WorkerId}'", now);
        return true;
    }

    private static long RunTicks(long ended, DateTime? attemptStartedAt, DateTime now) =>
        ended + (attemptStartedAt is { } started ? Math.Max(0, (now - started).Ticks) : 0);

    private static void EndAttempt(OrchestratorDbContext db, JobRecord job, JobState next, bool countsAsFailure, string? error, string reason, DateTime now)
    {
        if (countsAsFailure)
        {
            job.FailureCount++;
        }

        if (error is not null)
        {
            job.ErrorMessage = error;
        }

        var detail = error is not null && error != reason ? $"{reason}: {error}" : reason;
        var outcome = next switch
        {
            JobState.Queued => countsAsFailure ? $"requeued (failure {job.FailureCount} of at most {job.MaxRetries} retried)" : "requeued",
            JobState.Failed => countsAsFailure && job.FailureCount > job.MaxRetries ? $"failed: no retry left after {job.FailureCount} failures" : "failed",
            _ => JobStateMachine.Name(next).ToLowerInvariant(),
        };
        JobRecords.AppendLog(db, job, now, JobRecords.OrchestratorWorkerId, $"{detail}; {outcome}");
        JobRecords.ChangeState(db, job, next, detail, now);
    }

    private void Pulse(JobRecord job)
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

    /// <summary>Upserts points per (job, name, step) and keeps the latest value of each name on the job.</summary>
    private static async Task RecordMetricsAsync(OrchestratorDbContext db, JobRecord job, IReadOnlyList<MetricValue> metrics, DateTime now)
    {
        if (metrics.Count == 0)
        {
            return;
        }

        // The last report of a (name, step) within one request wins, as a later request's would.
        var reported = metrics.GroupBy(m => (m.Name, m.Step)).Select(g => g.Last()).ToList();
        var names = reported.Select(m => m.Name).Distinct().ToList();
        var steps = reported.Select(m => m.Step).Distinct().ToList();
        var existing = (await db.JobMetricPoints
                .Where(p => p.JobId == job.Id && names.Contains(p.Name) && steps.Contains(p.Step))
                .ToListAsync())
            .ToDictionary(p => (p.Name, p.Step));
        var latest = job.LastMetrics is null
            ? new Dictionary<string, MetricValue>()
            : MetricSeries.Parser.ParseFrom(job.LastMetrics).Points.ToDictionary(p => p.Name);
        foreach (var metric in reported)
        {
            var at = metric.Time?.ToDateTime() ?? now;
            if (existing.TryGetValue((metric.Name, metric.Step), out var point))
            {
                point.Value = metric.Value;
                point.Epoch = metric.Epoch;
                point.Time = at;
            }
            else
            {
                db.JobMetricPoints.Add(new JobMetricPointRecord { JobId = job.Id, Name = metric.Name, Step = metric.Step, Value = metric.Value, Epoch = metric.Epoch, Time = at });
            }

            if (!latest.TryGetValue(metric.Name, out var current) || metric.Step >= current.Step)
            {
                var value = metric.Clone();
                value.Time = Timestamp.FromDateTime(at);
                latest[metric.Name] = value;
            }
        }

        var series = new MetricSeries();
        series.Points.AddRange(latest.Values.OrderBy(v => v.Name, StringComparer.Ordinal));
        job.LastMetrics = series.ToByteArray();
    }

    private static void ValidateMetrics(string field, IReadOnlyList<MetricValue> metrics)
    {
        for (var i = 0; i < metrics.Count; i++)
        {
            var metric = metrics[i];
            if (metric.Name.Length == 0 || metric.Name.Length > MaxMetricNameLength)
            {
                throw DomainException.InvalidArgument($"{field}[{i}].name", $"must be 1 to {MaxMetricNameLength} characters, e.g. \"train/loss\"");
            }

            if (metric.Step < 0)
            {
                throw DomainException.InvalidArgument($"{field}[{i}].step", $"must not be negative, got {metric.Step}");
            }

            if (!double.IsFinite(metric.Value))
            {
                throw DomainException.InvalidArgument($"{field}[{i}].value", $"must be a finite number, got {metric.Value} for '{metric.Name}' (fail the job when training diverges)");
            }
        }
    }

    private async Task<SubmitResult?> FindByKeyAsync(string key, JobSpec submitted, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var since = Now - options.IdempotencyWindow;
        var earlier = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.IdempotencyKey == key && j.CreatedAt > since, cancellationToken);
        if (earlier is null)
        {
            return null;
        }

        if (!JobSpec.Parser.ParseFrom(earlier.SubmittedSpec).Equals(submitted))
        {
            throw new DomainException(DomainErrorKind.AlreadyExists,
                $"idempotency_key '{key}' was used for job '{earlier.Id}' with a different spec; use a new key for a different job");
        }

        return new SubmitResult(JobRecords.ToProto(earlier), true);
    }

    /// <summary>Pins the dataset version (the newest when none is given), checks the spec against it, and checks that the pretrained weights exist.</summary>
    private async Task<JobSpec> ResolveDatasetAsync(JobSpec submitted, CancellationToken cancellationToken)
    {
        if (!options.IsKnownArchitecture(submitted.Model.Architecture))
        {
            throw DomainException.InvalidArgument("spec.model.architecture",
                $"'{submitted.Model.Architecture}' is not an architecture the trainers build; known: {string.Join(", ", options.Architectures.Order(StringComparer.Ordinal))}");
        }

        var resolution = await datasets.ResolveAsync(submitted.Dataset, cancellationToken);
        if (resolution.Missing is { } missing)
        {
            throw new DomainException(DomainErrorKind.NotFound, $"spec.dataset: {missing}");
        }

        if (resolution.TaskType != TaskType.Unspecified && resolution.TaskType != submitted.TaskType)
        {
            throw DomainException.InvalidArgument("spec.task_type",
                $"is {submitted.TaskType} but dataset '{resolution.DatasetId}' is annotated for {resolution.TaskType}");
        }

        if (resolution.TrainSamples > 0 && submitted.Hyperparameters.BatchSize > resolution.TrainSamples)
        {
            throw DomainException.InvalidArgument("spec.hyperparameters.batch_size",
                $"is {submitted.Hyperparameters.BatchSize} but the train split of dataset '{resolution.DatasetId}' has only {resolution.TrainSamples} samples");
        }

        if (submitted.Model.Pretrained is { ModelName.Length: > 0 } pretrained && !await models.ExistsAsync(pretrained, cancellationToken))
        {
            throw new DomainException(DomainErrorKind.NotFound,
                $"spec.model.pretrained: model version '{pretrained.ModelName}:{pretrained.Version}' does not exist in the registry");
        }

        var resolved = submitted.Clone();
        resolved.Dataset.VersionId = resolution.VersionId;
        return resolved;
    }

    private static void RequireId(string field, string value)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw DomainException.InvalidArgument(field, "is required");
        }
    }

    private static async Task WaitAsync(Task signal, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await Task.WhenAny(signal, Task.Delay(timeout, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static string FilterHash(ListJobsRequest request)
    {
        var text = new StringBuilder();
        text.Append(string.Join(',', request.States.Select(s => (int)s).Distinct().Order())).Append('|').Append(request.DatasetId).Append('|');
        foreach (var (key, value) in request.LabelSelector.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            text.Append(key).Append('=').Append(value).Append(';');
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private static string EncodeToken(JobRecord last, string filterHash) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{last.CreatedAt.Ticks.ToString(CultureInfo.InvariantCulture)}:{filterHash}:{last.Id}"));

    private static (DateTime After, string AfterId) DecodeToken(string token, string filterHash)
    {
        string[] parts;
        try
        {
            parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split(':', 3);
        }
        catch (FormatException)
        {
            parts = [];
        }

        if (parts.Length != 3 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) || ticks > DateTime.MaxValue.Ticks)
        {
            throw DomainException.InvalidArgument("page_token", "is not a token this service issued; start again without one");
        }

        if (parts[1] != filterHash)
        {
            throw DomainException.InvalidArgument("page_token", "was issued for different filters (states, label_selector, dataset_id); repeat them unchanged or start again without a token");
        }

        return (new DateTime(ticks, DateTimeKind.Utc), parts[2]);
    }
}

public sealed record SubmitResult(Job Job, bool AlreadyExisted);

public sealed record JobPage(IReadOnlyList<Job> Jobs, string? NextPageToken);

public sealed record LeaseGrant(Job Job, string LeaseId, DateTime ExpiresAt, TimeSpan HeartbeatInterval, Checkpoint? ResumeFrom);

public sealed record HeartbeatResult(DateTime LeaseExpiresAt, bool CancelRequested);

/// <summary>What a worker offers, in the terms of the jobs table's requirement columns.</summary>
public sealed record WorkerFit(int Gpus, long HostMemoryBytes, long GpuMemoryBytes, List<string> Architectures)
{
    public static WorkerFit Of(DeviceInfo device, IReadOnlyCollection<string> architectures)
    {
        var gpus = device.Kind == DeviceKind.Cuda ? Math.Max(device.GpuCount, device.Gpus.Count) : 0;
        var host = device.HostMemoryTotalBytes > 0 ? device.HostMemoryTotalBytes : device.Kind == DeviceKind.Cpu ? device.MemoryTotalBytes : 0;
        var perGpu = device.Gpus.Count > 0 ? device.Gpus.Min(g => g.MemoryTotalBytes) : gpus > 0 ? device.MemoryTotalBytes / gpus : 0;
        return new WorkerFit(gpus, host, perGpu, architectures.Where(a => a.Length > 0).Distinct().ToList());
    }
}
