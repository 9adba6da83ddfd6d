using System.Text.Json;
using Cauchy.Data;
using Cauchy.Domain;
using Cauchy.Registry.Data;
using Cauchy.Storage;
using Cauchy.V1;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Registry.Domain;

/// <summary>
/// CreateModelVersion and ImportPretrained. Every input is checked before anything is written; an upload is verified
/// against its header while it streams, and the version row is written only after both artifacts are stored, so a
/// failed upload leaves no version.
/// </summary>
public sealed class VersionRegistration(IDbContextFactory<RegistryDbContext> dbs, IObjectStore store, ArtifactUris uris, TimeProvider clock)
{
    /// <summary>Stores what an upload or import brings; the version row is written only after it succeeded.</summary>
    private readonly VersionArtifacts _artifacts = new(dbs, store);

    /// <summary>Registers a trained version: checks the header, stores the verified weights and the card, then writes the version.</summary>
    public async Task<(ModelVersion Version, bool AlreadyExisted)> CreateVersionAsync(CreateModelVersionHeader header, Stream weights, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(header);
        Validation.ModelName(header.ModelName, "header.model_name");
        ValidateUpload(header.Weights, "header.weights");
        ValidateCard(header.ModelCardJson, "header.model_card_json");
        Validation.Metrics(header.Metrics, "header.metrics");
        Validation.Labels(header.Labels, "header.labels");
        Validation.FreeText("header.", header.Description, header.ClassNames);
        if (header.IdempotencyKey.Length > 128)
        {
            throw RegistryErrors.InvalidArgument("header.idempotency_key", $"has {header.IdempotencyKey.Length} characters; at most 128 are allowed.");
        }
        if (header.Lineage is { } lineage)
        {
            if (string.IsNullOrEmpty(lineage.JobId))
            {
                throw RegistryErrors.InvalidArgument("header.lineage.job_id", "is required when a lineage is given.");
            }
        }
        else if (header.CreateModel)
        {
            throw RegistryErrors.InvalidArgument("header.lineage", "is required when create_model is true (the model takes its task type and architecture from lineage.job_spec).");
        }
        if (header.CreateModel)
        {
            Validation.TaskType(header.Lineage!.JobSpec?.TaskType ?? TaskType.Unspecified, "header.lineage.job_spec.task_type");
            Validation.Architecture(header.Lineage.JobSpec?.Model?.Architecture ?? "", "header.lineage.job_spec.model.architecture");
        }

        var spec = new NewVersion(
            header.ModelName,
            header.CreateModel ? header.Lineage!.JobSpec!.TaskType : null,
            header.CreateModel ? header.Lineage!.JobSpec!.Model!.Architecture : null,
            header.Lineage, null, header.Metrics, header.ClassNames, header.Description, header.Labels,
            header.ModelCardJson, string.IsNullOrEmpty(header.IdempotencyKey) ? null : header.IdempotencyKey);

        // Checks that need the database, before a byte is stored.
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            var model = await db.Models.AsNoTracking().FirstOrDefaultAsync(m => m.Name == spec.ModelName, ct);
            if (model is null && !header.CreateModel)
            {
                throw RegistryErrors.ModelNotFound(spec.ModelName);
            }
            if (model is not null)
            {
                CheckLineageMatches(model, header.Lineage);
            }
            if (header.Lineage?.BaseModelVersion is { } baseVersion)
            {
                await RegistryEntities.ResolveAsync(db, baseVersion, "header.lineage.base_model_version", tracked: false, ct);
            }
            if (spec.IdempotencyKey is not null && await FindByIdempotencyKeyAsync(db, spec, header.Weights.Sha256, ct) is { } earlier)
            {
                await weights.CopyToAsync(Stream.Null, ct);
                return (ProtoMapping.ToProto(earlier, uris), true);
            }
        }

        var stored = await _artifacts.StoreArtifactsAsync(spec, weights, header.Weights, "header.weights", header.Lineage?.JobSpec?.TaskType, header.Lineage?.JobSpec?.Model?.Architecture, ct);
        return await CommitVersionAsync(spec, stored, ct);
    }

    /// <summary>Adds pretrained weights to the catalogue; the same weights imported again return the version they made.</summary>
    public async Task<(ModelVersion Version, bool AlreadyExisted)> ImportPretrainedAsync(ImportPretrainedHeader header, Stream? weights, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(header);
        Validation.ModelName(header.ModelName, "header.model_name");
        Validation.TaskType(header.TaskType, "header.task_type");
        Validation.Architecture(header.Architecture, "header.architecture");
        if (header.Source is null || string.IsNullOrEmpty(header.Source.Origin))
        {
            throw RegistryErrors.InvalidArgument("header.source.origin", "is required (where the weights were taken from).");
        }
        ValidateCard(header.ModelCardJson, "header.model_card_json");
        Validation.Metrics(header.Metrics, "header.metrics");
        Validation.FreeText("header.", header.Description, header.ClassNames);
        string? sourceKey = null;
        switch (header.WeightsSourceCase)
        {
            case ImportPretrainedHeader.WeightsSourceOneofCase.Upload:
                ValidateUpload(header.Upload, "header.upload");
                ArgumentNullException.ThrowIfNull(weights);
                break;
            case ImportPretrainedHeader.WeightsSourceOneofCase.SourceUri:
                sourceKey = uris.KeyOf(header.SourceUri);
                if (sourceKey is null || !ObjectKeyIsValid(sourceKey))
                {
                    throw RegistryErrors.InvalidArgument("header.source_uri",
                        $"'{header.SourceUri}' is not an object of this registry's store ({uris.For("<key>")}).");
                }
                if (!await store.ExistsAsync(sourceKey, ct))
                {
                    throw DomainException.NotFound($"header.source_uri: '{header.SourceUri}' does not exist.");
                }
                break;
            default:
                throw RegistryErrors.InvalidArgument("header.upload", "one of upload or source_uri is required.");
        }

        var spec = new NewVersion(header.ModelName, header.TaskType, header.Architecture, null, header.Source, header.Metrics,
            header.ClassNames, header.Description, null, header.ModelCardJson, null);
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            var model = await db.Models.AsNoTracking().FirstOrDefaultAsync(m => m.Name == spec.ModelName, ct);
            if (model is not null)
            {
                CheckSameKind(model, header.TaskType, header.Architecture, "header");
            }
            if (sourceKey is null && await FindBySha256Async(db, spec.ModelName, header.Upload.Sha256, ct) is { } same)
            {
                await weights!.CopyToAsync(Stream.Null, ct);
                return (ProtoMapping.ToProto(same, uris), true);
            }
        }

        StoredArtifacts stored;
        if (sourceKey is not null)
        {
            var size = (await store.HeadAsync(sourceKey, ct)).Size;
            await using var source = await store.OpenReadAsync(sourceKey, cancellationToken: ct);
            await using var safetensors = new SafetensorsCheckingStream(source, size, "header.source_uri");
            var info = await _artifacts.PutCheckedAsync(safetensors, ct);
            stored = await _artifacts.StoreCardAsync(spec, info, header.TaskType, header.Architecture, ct);
        }
        else
        {
            stored = await _artifacts.StoreArtifactsAsync(spec, weights!, header.Upload, "header.upload", header.TaskType, header.Architecture, ct);
        }
        return await CommitVersionAsync(spec, stored, ct);
    }

    private static void ValidateUpload(WeightsUpload? upload, string field)
    {
        if (upload is null)
        {
            throw RegistryErrors.InvalidArgument(field, "is required (size_bytes and sha256 of the weights that follow).");
        }
        if (upload.SizeBytes <= 0)
        {
            throw RegistryErrors.InvalidArgument($"{field}.size_bytes", $"{upload.SizeBytes} is not a size; weights have at least one byte.");
        }
        Validation.Sha256(upload.Sha256, $"{field}.sha256");
    }

    private static void ValidateCard(ByteString card, string field)
    {
        if (!card.IsEmpty)
        {
            ModelCard.Validate(card, field);
        }
    }

    private static bool ObjectKeyIsValid(string key)
    {
        try
        {
            ObjectKey.Validate(key);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private async Task<(ModelVersion, bool)> CommitVersionAsync(NewVersion spec, StoredArtifacts stored, CancellationToken ct)
    {
        // A model created by a concurrent upload between the check and the insert is a unique violation: go round again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ConcurrencyRetry.RunAsync(dbs, (db, token) => CommitOnceAsync(db, spec, stored, token), ct);
            }
            catch (DbUpdateException e) when (attempt < 3 && DbErrors.IsUniqueViolation(e))
            {
            }
            catch (Exception e) when (DbErrors.ToDomainException(e, $"model '{spec.ModelName}'") is { } refusal)
            {
                throw refusal;
            }
        }
    }

    private async Task<(ModelVersion, bool)> CommitOnceAsync(RegistryDbContext db, NewVersion spec, StoredArtifacts stored, CancellationToken ct)
    {
        var now = RegistryEntities.Now(clock);
        var model = await db.Models.FirstOrDefaultAsync(m => m.Name == spec.ModelName, ct);
        if (model is null)
        {
            if (spec.TaskType is not { } task || spec.Architecture is not { } architecture)
            {
                throw RegistryErrors.ModelNotFound(spec.ModelName);
            }
            model = RegistryEntities.NewModelEntity(clock, spec.ModelName, task, architecture, spec.Pretrained is null ? "" : spec.Description, null);
            model.LatestVersion = 0;
            db.Models.Add(model);
        }
        else
        {
            if (spec.Pretrained is not null)
            {
                CheckSameKind(model, spec.TaskType!.Value, spec.Architecture!, "header");
                if (await FindBySha256Async(db, spec.ModelName, stored.Weights.Sha256!, ct) is { } same)
                {
                    return (ProtoMapping.ToProto(same, uris), true);
                }
            }
            else
            {
                CheckLineageMatches(model, spec.Lineage);
            }
            if (spec.IdempotencyKey is not null && await FindByIdempotencyKeyAsync(db, spec, stored.Weights.Sha256!, ct) is { } earlier)
            {
                return (ProtoMapping.ToProto(earlier, uris), true);
            }
            model.UpdateTime = now;
        }
        // Claim the number first, in the transaction that will insert the version: the model row's UPDATE checks its
        // concurrency token and holds the row until commit, so a racing upload fails that check (and is retried on
        // fresh rows) instead of colliding on the version's primary key.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        model.LatestVersion++;
        await db.SaveChangesAsync(ct);
        var row = new ModelVersionEntity
        {
            ModelName = model.Name,
            Number = model.LatestVersion,
            VersionId = "mv-" + Guid.NewGuid().ToString("N"),
            Stage = (int)ModelStage.None,
            Description = spec.Description,
            LabelsJson = JsonSerializer.Serialize(spec.Labels ?? new Dictionary<string, string>()),
            ClassNamesJson = JsonSerializer.Serialize(spec.ClassNames),
            Lineage = spec.Lineage?.ToByteArray(),
            LineageJobId = spec.Lineage?.JobId,
            LineageDatasetId = NullIfEmpty(spec.Lineage?.DatasetVersion?.DatasetId),
            LineageDatasetVersionId = NullIfEmpty(spec.Lineage?.DatasetVersion?.VersionId),
            Pretrained = spec.Pretrained?.ToByteArray(),
            IsPretrained = spec.Pretrained is not null,
            Architecture = model.Architecture,
            TaskType = model.TaskType,
            WeightsKey = stored.Weights.Key,
            WeightsSha256 = stored.Weights.Sha256!,
            WeightsSize = stored.Weights.Size,
            ModelCardKey = stored.Card.Key,
            ModelCardSha256 = stored.Card.Sha256!,
            ModelCardSize = stored.Card.Size,
            IdempotencyKey = spec.IdempotencyKey,
            CreateTime = now,
            StageUpdateTime = now,
        };
        row.Metrics.AddRange(spec.Metrics.Select(m => new MetricEntity
        {
            ModelName = row.ModelName,
            VersionNumber = row.Number,
            Name = m.Name,
            Value = m.Value,
            Step = m.Step,
            Epoch = m.Epoch,
            Time = m.Time?.ToDateTime(),
        }));
        db.ModelVersions.Add(row);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return (ProtoMapping.ToProto(row, uris), false);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static void CheckLineageMatches(ModelEntity model, Lineage? lineage)
    {
        var spec = lineage?.JobSpec;
        if (spec is null)
        {
            return;
        }
        if (spec.TaskType != TaskType.Unspecified && (int)spec.TaskType != model.TaskType)
        {
            throw RegistryErrors.FailedPrecondition(
                $"header.lineage.job_spec.task_type is {spec.TaskType}, but model '{model.Name}' is for {(TaskType)model.TaskType}.");
        }
        if (spec.Model is { Architecture.Length: > 0 } m && m.Architecture != model.Architecture)
        {
            throw RegistryErrors.FailedPrecondition(
                $"header.lineage.job_spec.model.architecture is '{m.Architecture}', but model '{model.Name}' has architecture '{model.Architecture}'.");
        }
    }

    private static void CheckSameKind(ModelEntity model, TaskType task, string architecture, string field)
    {
        if ((int)task != model.TaskType)
        {
            throw RegistryErrors.FailedPrecondition($"{field}.task_type is {task}, but model '{model.Name}' exists for {(TaskType)model.TaskType}.");
        }
        if (architecture != model.Architecture)
        {
            throw RegistryErrors.FailedPrecondition(
                $"{field}.architecture is '{architecture}', but model '{model.Name}' exists with architecture '{model.Architecture}'.");
        }
    }

    private static async Task<ModelVersionEntity?> FindByIdempotencyKeyAsync(RegistryDbContext db, NewVersion spec, string sha256, CancellationToken ct)
    {
        var earlier = await db.ModelVersions.AsNoTracking().Include(v => v.Metrics)
            .FirstOrDefaultAsync(v => v.ModelName == spec.ModelName && v.IdempotencyKey == spec.IdempotencyKey, ct);
        if (earlier is not null && earlier.WeightsSha256 != sha256)
        {
            throw RegistryErrors.AlreadyExists(
                $"header.idempotency_key '{spec.IdempotencyKey}' was used for version {earlier.Number} of model '{spec.ModelName}' with other weights (sha256 {earlier.WeightsSha256}).");
        }
        return earlier;
    }

    private static Task<ModelVersionEntity?> FindBySha256Async(RegistryDbContext db, string model, string sha256, CancellationToken ct) =>
        db.ModelVersions.AsNoTracking().Include(v => v.Metrics)
            .Where(v => v.ModelName == model && v.WeightsSha256 == sha256).OrderBy(v => v.Number).FirstOrDefaultAsync(ct);

}
