using Cauchy.Domain;
using Cauchy.Orchestrator.Data;
using Cauchy.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>
/// The worker side of a job: leasing it, heartbeats, and the attempt's end (complete, fail, release), plus the lease
/// reaper's pass over leases that ran out. Every call after the lease acts through the lease id, so a worker whose
/// lease has ended cannot change the job.
/// </summary>
public sealed class JobLeases(JobStore store, ILogger<JobLeases> logger)
{
    public const int MaxWorkerIdLength = 253;

    /// <summary>
    /// Leases the best fitting queued job to the worker: highest priority, then oldest. Waits up to
    /// <paramref name="wait"/> (at most Jobs:MaxLeaseWaitSeconds) for one; null when none came.
    /// </summary>
    public async Task<LeaseGrant?> LeaseAsync(string workerId, DeviceInfo? device, IReadOnlyCollection<string> architectures, TimeSpan wait, CancellationToken cancellationToken)
    {
        JobStore.RequireId("worker_id", workerId);
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
        var deadline = store.Time.GetTimestamp() + (long)(JobStore.Min(wait, store.Options.MaxLeaseWait).TotalSeconds * store.Time.TimestampFrequency);
        while (true)
        {
            var queueChanged = store.Signals.QueueChanged;
            if (await TryLeaseAsync(workerId, fit, cancellationToken) is { } grant)
            {
                return grant;
            }

            var remaining = TimeSpan.FromSeconds((double)(deadline - store.Time.GetTimestamp()) / store.Time.TimestampFrequency);
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            await JobStore.WaitAsync(queueChanged, JobStore.Min(remaining, store.Options.Poll), cancellationToken);
        }
    }

    /// <summary>Renews the lease and records progress, metrics, the checkpoint and a finished epoch.</summary>
    public async Task<HeartbeatResult> HeartbeatAsync(HeartbeatRequest request, CancellationToken cancellationToken)
    {
        JobMetrics.ValidateMetrics("metrics", request.Metrics);
        var result = await store.WithLeaseAsync(request.LeaseId, async (db, job, lease, now) =>
        {
            job.LeaseExpiresAt = now + store.Options.Lease;
            job.UpdatedAt = now;
            if (request.Progress is { } progress)
            {
                job.Progress = progress.ToByteArray();
                JobEntities.AppendEvent(db, job, now, new JobEvent { Progress = progress });
            }

            await JobMetrics.RecordMetricsAsync(db, job, request.Metrics, now);
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
                JobEntities.AppendEvent(db, job, now, new JobEvent { EpochCompleted = epoch });
            }

            await JobStore.SaveTransitionAsync(db, cancellationToken);
            return new HeartbeatResult(job.LeaseExpiresAt.Value, (JobState)job.State == JobState.Cancelling);
        }, cancellationToken);
        store.Signals.PulseJobs();
        return result;
    }

    /// <summary>RUNNING or CANCELLING → SUCCEEDED with the registered model version.</summary>
    public async Task<Job> CompleteAsync(CompleteJobRequest request, CancellationToken cancellationToken)
    {
        if (request.ResultModelVersion is not { } model || model.ModelName.Length == 0 || model.Version < 1)
        {
            throw DomainException.InvalidArgument("result_model_version", "is required: the registered model's name and version (≥ 1)");
        }

        JobMetrics.ValidateMetrics("metrics", request.Metrics);
        var job = await store.WithLeaseAsync(request.LeaseId, async (db, job, lease, now) =>
        {
            var next = JobStateMachine.Complete((JobState)job.State, job.Id);
            await JobMetrics.RecordMetricsAsync(db, job, request.Metrics, now);
            job.ResultModelName = model.ModelName;
            job.ResultModelVersion = model.Version;
            job.ResultModelVersionId = model.VersionId;
            job.ErrorMessage = "";
            JobEntities.AppendLog(db, job, now, JobEntities.OrchestratorWorkerId, $"succeeded: registered {model.ModelName}:{model.Version}");
            JobEntities.ChangeState(db, job, next, $"completed by worker '{lease.WorkerId}': {model.ModelName}:{model.Version}", now);
            await JobStore.SaveTransitionAsync(db, cancellationToken);
            return job;
        }, cancellationToken);
        store.Signals.PulseJobs();
        return JobEntities.ToProto(job);
    }

    /// <summary>A failed (or cancelled-and-stopped) attempt: requeue, fail or cancel per the state machine.</summary>
    public async Task<Job> FailAsync(FailJobRequest request, CancellationToken cancellationToken)
    {
        TextLimits.Check(request.ErrorMessage, TextLimits.Note, "error_message");
        var job = await store.WithLeaseAsync(request.LeaseId, async (db, job, lease, now) =>
        {
            var error = request.ErrorMessage.Length > 0 ? request.ErrorMessage : "the worker reported a failure without a message";
            var (next, counts) = JobStateMachine.Fail((JobState)job.State, job.Id, request.Retryable, job.FailureCount, job.MaxRetries);
            JobTransitions.EndAttempt(db, job, next, counts, counts ? error : "stopped after cancellation", $"attempt {job.Attempt} failed on worker '{lease.WorkerId}'", now);
            await JobStore.SaveTransitionAsync(db, cancellationToken);
            return job;
        }, cancellationToken);
        store.Pulse(job);
        return JobEntities.ToProto(job);
    }

    /// <summary>The worker gives the job back without fault: RUNNING → QUEUED (not counted), CANCELLING → CANCELLED.</summary>
    public async Task<Job> ReleaseAsync(ReleaseJobRequest request, CancellationToken cancellationToken)
    {
        TextLimits.Check(request.Reason, TextLimits.Note, "reason");
        var job = await store.WithLeaseAsync(request.LeaseId, async (db, job, lease, now) =>
        {
            var next = JobStateMachine.Release((JobState)job.State, job.Id);
            var why = $"released by worker '{lease.WorkerId}'" + (request.Reason.Length > 0 ? $": {request.Reason}" : "");
            JobTransitions.EndAttempt(db, job, next, countsAsFailure: false, error: null, why, now);
            await JobStore.SaveTransitionAsync(db, cancellationToken);
            return job;
        }, cancellationToken);
        store.Pulse(job);
        return JobEntities.ToProto(job);
    }

    /// <summary>
    /// The lease reaper's pass: every job whose lease has run out is moved on by the state machine (RUNNING → QUEUED
    /// or FAILED, CANCELLING → CANCELLED), and every RUNNING job whose attempts together ran past spec.max_run_duration
    /// fails. Idempotent: it acts on what the database says now, so running it twice, or after a restart, changes
    /// nothing more. Returns how many jobs it moved.
    /// </summary>
    public async Task<int> ExpireLeasesAsync(CancellationToken cancellationToken)
    {
        var now = store.Now;
        var holding = new[] { (int)JobState.Running, (int)JobState.Cancelling };
        var runningState = (int)JobState.Running;
        List<string> due;
        await using (var db = await store.Factory.CreateDbContextAsync(cancellationToken))
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
            due.AddRange(limited.Where(j => JobTransitions.RunTicks(j.RunTicks, j.AttemptStartedAt, now) > j.MaxRunTicks).Select(j => j.Id).Except(due));
        }

        var moved = 0;
        foreach (var id in due)
        {
            var job = await store.TransactAsync(async (db, ct) =>
            {
                var record = await db.Jobs.SingleOrDefaultAsync(j => j.Id == id, ct);
                // Looked at again on a fresh row: a heartbeat may have renewed it since the query.
                var at = store.Now;
                if (record is null || !(JobTransitions.ExpireIfDue(db, record, at) || JobTransitions.FailIfOverRunTime(db, record, at)))
                {
                    return null;
                }

                await JobStore.SaveTransitionAsync(db, ct);
                return record;
            }, cancellationToken);
            if (job is not null)
            {
                moved++;
                logger.LogWarning("Job {JobId} (worker {WorkerId}) is now {State}: {Reason}",
                    job.Id, job.WorkerId, JobStateMachine.Name((JobState)job.State), job.ErrorMessage);
                store.Pulse(job);
            }
        }

        return moved;
    }

    private async Task<LeaseGrant?> TryLeaseAsync(string workerId, WorkerFit fit, CancellationToken cancellationToken)
    {
        var grant = await store.TransactAsync(async (db, ct) =>
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

            var now = store.Now;
            var next = JobStateMachine.Lease((JobState)job.State, job.Id);
            job.Attempt++;
            job.LeaseId = Guid.NewGuid().ToString("N");
            job.WorkerId = workerId;
            job.LeaseExpiresAt = now + store.Options.Lease;
            job.StartedAt ??= now;
            job.AttemptStartedAt = now;
            db.Leases.Add(new LeaseEntity { Id = job.LeaseId, JobId = job.Id, WorkerId = workerId, Attempt = job.Attempt, GrantedAt = now });
            var resume = job.LatestCheckpoint is null ? "a fresh start" : $"resuming from step {job.CheckpointStep}";
            JobEntities.AppendLog(db, job, now, JobEntities.OrchestratorWorkerId, $"attempt {job.Attempt} leased by worker '{workerId}' ({resume})");
            JobEntities.ChangeState(db, job, next, $"leased by worker '{workerId}'", now);
            await JobStore.SaveTransitionAsync(db, ct);
            return new LeaseGrant(
                JobEntities.ToProto(job),
                job.LeaseId,
                job.LeaseExpiresAt.Value,
                store.Options.HeartbeatInterval,
                job.LatestCheckpoint is null ? null : Checkpoint.Parser.ParseFrom(job.LatestCheckpoint));
        }, cancellationToken);
        if (grant is not null)
        {
            logger.LogInformation("Job {JobId} attempt {Attempt} leased to {WorkerId}", grant.Job.Id, grant.Job.Attempt, workerId);
            store.Signals.PulseJobs();
        }

        return grant;
    }
}
