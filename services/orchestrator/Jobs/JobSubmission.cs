using Cauchy.Data;
using Cauchy.Domain;
using Cauchy.Orchestrator.Data;
using Cauchy.Orchestrator.Datasets;
using Cauchy.Orchestrator.Models;
using Cauchy.Orchestrator.Specs;
using Cauchy.V1;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>SubmitJob: validates and resolves the spec, and queues the job once per idempotency key.</summary>
public sealed class JobSubmission(JobStore store, IDatasetCatalog datasets, IModelCatalog models, ILogger<JobSubmission> logger)
{
    public const int MaxIdempotencyKeyLength = 128;

    /// <summary>Validates, resolves and (unless validate_only) queues a job; see SubmitJob in jobs.proto.</summary>
    /// <exception cref="InvalidJobSpecException">The spec or hypes document is invalid.</exception>
    public Task<SubmitResult> SubmitAsync(SubmitJobRequest request, CancellationToken cancellationToken) =>
        SubmitAsync(request, owner: "", cancellationToken);

    /// <summary>Submits a job on behalf of <paramref name="owner"/>, the principal recorded as its owner.</summary>
    public async Task<SubmitResult> SubmitAsync(SubmitJobRequest request, string owner, CancellationToken cancellationToken)
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
        var now = store.Now;
        var record = new JobEntity
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
            Owner = owner,
        };
        if (request.ValidateOnly)
        {
            var preview = JobEntities.ToProto(record);
            preview.Id = "";
            preview.State = JobState.Queued;
            return new SubmitResult(preview, false);
        }

        try
        {
            await store.TransactCoreAsync(async (db, ct) =>
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
            throw DbErrors.ToDomainException(ex, JobStore.Subject)!;
        }
        catch (Exception ex) when (DbErrors.ToDomainException(ex, JobStore.Subject) is { } refusal)
        {
            throw refusal;
        }

        logger.LogInformation("Job {JobId} queued: {Architecture} on {Dataset}@{Version}, priority {Priority}",
            record.Id, record.Architecture, record.DatasetId, record.DatasetVersionId, record.Priority);
        store.Signals.PulseQueue();
        return new SubmitResult(JobEntities.ToProto(record), false);
    }

    /// <summary>Adds the job, its labels and its first event; a key older than the window is taken from its old job.</summary>
    private async Task InsertAsync(OrchestratorDbContext db, JobEntity record, JobSpec resolved, string key, DateTime now, CancellationToken cancellationToken)
    {
        if (key.Length > 0)
        {
            // A key older than the window is forgotten: the old job keeps its id but gives the key up. A key inside
            // the window here means a concurrent submission with it committed since we looked.
            var holders = await db.Jobs.Where(j => j.IdempotencyKey == key).ToListAsync(cancellationToken);
            if (holders.Any(j => j.CreatedAt > now - store.Options.IdempotencyWindow))
            {
                throw new SubmitRaceLostException();
            }

            holders.ForEach(j => j.IdempotencyKey = null);
        }

        db.Jobs.Add(record);
        db.JobLabels.AddRange(resolved.Labels.Select(l => new JobLabelEntity { JobId = record.Id, Key = l.Key, Value = l.Value }));
        JobEntities.ChangeState(db, record, JobState.Queued, "submitted", now);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>A submission with the same key committed between our look-up and our insert.</summary>
    private sealed class SubmitRaceLostException : Exception;

    private async Task<SubmitResult?> FindByKeyAsync(string key, JobSpec submitted, CancellationToken cancellationToken)
    {
        await using var db = await store.Factory.CreateDbContextAsync(cancellationToken);
        var since = store.Now - store.Options.IdempotencyWindow;
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

        return new SubmitResult(JobEntities.ToProto(earlier), true);
    }

    /// <summary>
    /// Pins the dataset version (the newest when none is given), checks the spec against it (task, batch size, and
    /// <see cref="DatasetFit"/>: train split, classes, image size against the architecture), and checks that the
    /// pretrained weights exist.
    /// </summary>
    private async Task<JobSpec> ResolveDatasetAsync(JobSpec submitted, CancellationToken cancellationToken)
    {
        if (!store.Options.IsKnownArchitecture(submitted.Model.Architecture))
        {
            throw DomainException.InvalidArgument("spec.model.architecture",
                $"'{submitted.Model.Architecture}' is not an architecture the trainers build; known: {string.Join(", ", store.Options.Architectures.Order(StringComparer.Ordinal))}");
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

        DatasetFit.Check(submitted, resolution);
        if (submitted.Model.Pretrained is { ModelName.Length: > 0 } pretrained && !await models.ExistsAsync(pretrained, cancellationToken))
        {
            throw new DomainException(DomainErrorKind.NotFound,
                $"spec.model.pretrained: model version '{pretrained.ModelName}:{pretrained.Version}' does not exist in the registry");
        }

        var resolved = submitted.Clone();
        resolved.Dataset.VersionId = resolution.VersionId;
        return resolved;
    }
}
