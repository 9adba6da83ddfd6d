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
/// The model registry: models, versions, stages, lineage and artifacts. Metadata lives in the registry's database,
/// artifacts in the object store under their sha256 (content-addressed, so identical weights are stored once).
/// Every input is checked before anything is written; an upload is verified against its header while it streams and
/// the version row is written only after both artifacts are stored, so a failed upload leaves no version.
/// </summary>
public sealed class ModelRegistry(IDbContextFactory<RegistryDbContext> dbs, IObjectStore store, ArtifactUris uris, TimeProvider clock)
{
    // ---- models ------------------------------------------------------------------------------------------------

    public async Task<Model> CreateModelAsync(CreateModelRequest request, CancellationToken ct)
    {
        Validation.ModelName(request.ModelName, "model_name");
        Validation.TaskType(request.TaskType, "task_type");
        Validation.Architecture(request.Architecture, "architecture");
        Validation.Labels(request.Labels, "labels");
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await db.Models.AnyAsync(m => m.Name == request.ModelName, ct))
        {
            throw RegistryErrors.ModelExists(request.ModelName);
        }
        var row = NewModelRow(request.ModelName, request.TaskType, request.Architecture, request.Description, request.Labels);
        db.Models.Add(row);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            throw RegistryErrors.ModelExists(request.ModelName);
        }
        return ProtoMapping.ToProto(row);
    }

    public async Task<Model> GetModelAsync(string name, CancellationToken ct)
    {
        Validation.ModelName(name, "model_name");
        await using var db = await dbs.CreateDbContextAsync(ct);
        var row = await db.Models.AsNoTracking().Include(m => m.Labels).FirstOrDefaultAsync(m => m.Name == name, ct)
            ?? throw RegistryErrors.ModelNotFound(name);
        return ProtoMapping.ToProto(row);
    }

    public async Task<ListModelsResponse> ListModelsAsync(ListModelsRequest request, CancellationToken ct)
    {
        var pageSize = Validation.PageSize(request.PageSize);
        Validation.Stage(request.Stage, "stage", allowUnspecified: true);
        Validation.MetricFilters(request.MetricFilters, "metric_filters");
        if (request.TaskType != TaskType.Unspecified)
        {
            Validation.TaskType(request.TaskType, "task_type");
        }
        var filters = Fingerprint(request, r => { r.PageSize = 0; r.PageToken = ""; r.LabelSelector.Clear(); }, request.LabelSelector);
        var cursor = PageToken.Decode(request.PageToken, filters, 1);

        await using var db = await dbs.CreateDbContextAsync(ct);
        var models = db.Models.AsNoTracking();
        if (request.NamePrefix.Length > 0)
        {
            var prefix = request.NamePrefix;
            models = models.Where(m => m.Name.StartsWith(prefix));
        }
        if (request.TaskType != TaskType.Unspecified)
        {
            var task = (int)request.TaskType;
            models = models.Where(m => m.TaskType == task);
        }
        foreach (var (key, value) in request.LabelSelector)
        {
            models = models.Where(m => db.ModelLabels.Any(l => l.ModelName == m.Name && l.Key == key && l.Value == value));
        }
        if (request.Stage != ModelStage.Unspecified || request.MetricFilters.Count > 0)
        {
            var versions = FilterVersions(db, db.ModelVersions, request.Stage, request.MetricFilters);
            models = models.Where(m => versions.Any(v => v.ModelName == m.Name));
        }
        if (cursor is not null)
        {
            var after = cursor[0];
            models = models.Where(m => string.Compare(m.Name, after) > 0);
        }
        var page = await models.OrderBy(m => m.Name).Take(pageSize + 1).Include(m => m.Labels).ToListAsync(ct);
        var response = new ListModelsResponse();
        response.Models.AddRange(page.Take(pageSize).Select(ProtoMapping.ToProto));
        if (page.Count > pageSize)
        {
            response.NextPageToken = PageToken.Encode(filters, page[pageSize - 1].Name);
        }
        return response;
    }

    // ---- versions ----------------------------------------------------------------------------------------------

    /// <summary>Registers a trained version: checks the header, stores the verified weights and the card, then writes the version.</summary>
    public async Task<(ModelVersion Version, bool AlreadyExisted)> CreateVersionAsync(CreateModelVersionHeader header, Stream weights, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(header);
        Validation.ModelName(header.ModelName, "header.model_name");
        ValidateUpload(header.Weights, "header.weights");
        ValidateCard(header.ModelCardJson, "header.model_card_json");
        Validation.Metrics(header.Metrics, "header.metrics");
        Validation.Labels(header.Labels, "header.labels");
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
                await ResolveAsync(db, baseVersion, "header.lineage.base_model_version", tracked: false, ct);
            }
            if (spec.IdempotencyKey is not null && await FindByIdempotencyKeyAsync(db, spec, header.Weights.Sha256, ct) is { } earlier)
            {
                await weights.CopyToAsync(Stream.Null, ct);
                return (ProtoMapping.ToProto(earlier, uris), true);
            }
        }

        var stored = await StoreArtifactsAsync(spec, weights, header.Weights, "header.weights", header.Lineage?.JobSpec?.TaskType, header.Lineage?.JobSpec?.Model?.Architecture, ct);
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
            var info = await PutCheckedAsync(safetensors, ct);
            stored = await StoreCardAsync(spec, info, header.TaskType, header.Architecture, ct);
        }
        else
        {
            stored = await StoreArtifactsAsync(spec, weights!, header.Upload, "header.upload", header.TaskType, header.Architecture, ct);
        }
        return await CommitVersionAsync(spec, stored, ct);
    }

    public async Task<ModelVersion> GetVersionAsync(ModelVersionRef reference, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return ProtoMapping.ToProto(await ResolveAsync(db, reference, "model_version", tracked: false, ct), uris);
    }

    public async Task<ListModelVersionsResponse> ListVersionsAsync(ListModelVersionsRequest request, CancellationToken ct)
    {
        Validation.ModelName(request.ModelName, "model_name");
        var pageSize = Validation.PageSize(request.PageSize);
        Validation.Stage(request.Stage, "stage", allowUnspecified: true);
        Validation.MetricFilters(request.MetricFilters, "metric_filters");
        var filters = Fingerprint(request, r => { r.PageSize = 0; r.PageToken = ""; }, null);
        var cursor = PageToken.Decode(request.PageToken, filters, 1);
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (!await db.Models.AnyAsync(m => m.Name == request.ModelName, ct))
        {
            throw RegistryErrors.ModelNotFound(request.ModelName);
        }
        var name = request.ModelName;
        var versions = FilterVersions(db, db.ModelVersions.AsNoTracking().Where(v => v.ModelName == name), request.Stage, request.MetricFilters);
        if (cursor is not null)
        {
            var before = int.Parse(cursor[0], System.Globalization.CultureInfo.InvariantCulture);
            versions = versions.Where(v => v.Number < before);
        }
        var page = await versions.OrderByDescending(v => v.Number).Take(pageSize + 1).Include(v => v.Metrics).ToListAsync(ct);
        var response = new ListModelVersionsResponse();
        response.ModelVersions.AddRange(page.Take(pageSize).Select(v => ProtoMapping.ToProto(v, uris)));
        if (page.Count > pageSize)
        {
            response.NextPageToken = PageToken.Encode(filters, page[pageSize - 1].Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return response;
    }

    public async Task<ListPretrainedResponse> ListPretrainedAsync(ListPretrainedRequest request, CancellationToken ct)
    {
        var pageSize = Validation.PageSize(request.PageSize);
        if (request.TaskType != TaskType.Unspecified)
        {
            Validation.TaskType(request.TaskType, "task_type");
        }
        var filters = Fingerprint(request, r => { r.PageSize = 0; r.PageToken = ""; }, null);
        var cursor = PageToken.Decode(request.PageToken, filters, 3);
        await using var db = await dbs.CreateDbContextAsync(ct);
        var versions = db.ModelVersions.AsNoTracking().Where(v => v.IsPretrained);
        if (request.Architecture.Length > 0)
        {
            var architecture = request.Architecture;
            versions = versions.Where(v => v.Architecture == architecture);
        }
        if (request.TaskType != TaskType.Unspecified)
        {
            var task = (int)request.TaskType;
            versions = versions.Where(v => v.TaskType == task);
        }
        if (cursor is not null)
        {
            var (architecture, model, number) = (cursor[0], cursor[1], int.Parse(cursor[2], System.Globalization.CultureInfo.InvariantCulture));
            versions = versions.Where(v => string.Compare(v.Architecture, architecture) > 0
                || (v.Architecture == architecture && (string.Compare(v.ModelName, model) > 0 || (v.ModelName == model && v.Number < number))));
        }
        var page = await versions.OrderBy(v => v.Architecture).ThenBy(v => v.ModelName).ThenByDescending(v => v.Number)
            .Take(pageSize + 1).Include(v => v.Metrics).ToListAsync(ct);
        var response = new ListPretrainedResponse();
        response.ModelVersions.AddRange(page.Take(pageSize).Select(v => ProtoMapping.ToProto(v, uris)));
        if (page.Count > pageSize)
        {
            var last = page[pageSize - 1];
            response.NextPageToken = PageToken.Encode(filters, last.Architecture, last.ModelName, last.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return response;
    }

    public async Task<ListVersionsByDatasetResponse> ListVersionsByDatasetAsync(ListVersionsByDatasetRequest request, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.DatasetVersion?.DatasetId))
        {
            throw RegistryErrors.InvalidArgument("dataset_version.dataset_id", "is required.");
        }
        var pageSize = Validation.PageSize(request.PageSize);
        var filters = Fingerprint(request, r => { r.PageSize = 0; r.PageToken = ""; }, null);
        var cursor = PageToken.Decode(request.PageToken, filters, 2);
        await using var db = await dbs.CreateDbContextAsync(ct);
        var dataset = request.DatasetVersion.DatasetId;
        var versions = db.ModelVersions.AsNoTracking().Where(v => v.LineageDatasetId == dataset);
        if (request.DatasetVersion.VersionId.Length > 0)
        {
            var datasetVersion = request.DatasetVersion.VersionId;
            versions = versions.Where(v => v.LineageDatasetVersionId == datasetVersion);
        }
        if (cursor is not null)
        {
            var (model, number) = (cursor[0], int.Parse(cursor[1], System.Globalization.CultureInfo.InvariantCulture));
            versions = versions.Where(v => string.Compare(v.ModelName, model) > 0 || (v.ModelName == model && v.Number > number));
        }
        var page = await versions.OrderBy(v => v.ModelName).ThenBy(v => v.Number).Take(pageSize + 1).Include(v => v.Metrics).ToListAsync(ct);
        var response = new ListVersionsByDatasetResponse();
        response.ModelVersions.AddRange(page.Take(pageSize).Select(v => ProtoMapping.ToProto(v, uris)));
        if (page.Count > pageSize)
        {
            var last = page[pageSize - 1];
            response.NextPageToken = PageToken.Encode(filters, last.ModelName, last.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return response;
    }

    // ---- stages and deletion -----------------------------------------------------------------------------------

    public async Task<TransitionStageResponse> TransitionStageAsync(TransitionStageRequest request, CancellationToken ct)
    {
        Validation.Stage(request.TargetStage, "target_stage", allowUnspecified: false);
        var archiveExisting = !request.HasArchiveExisting || request.ArchiveExisting;
        try
        {
            return await ConcurrencyRetry.RunAsync(dbs, async (db, token) =>
            {
                var version = await ResolveAsync(db, request.ModelVersion, "model_version", tracked: true, token);
                var from = (ModelStage)version.Stage;
                var response = new TransitionStageResponse();
                if (from == request.TargetStage)
                {
                    response.ModelVersion = ProtoMapping.ToProto(version, uris);
                    return response;
                }
                StageTransitions.Check(version.ModelName, version.Number, from, request.TargetStage);
                var now = Now();
                // Touching the model row makes concurrent moves within one model conflict (and retry), so two
                // promotions at once cannot leave two PRODUCTION versions.
                var model = await db.Models.SingleAsync(m => m.Name == version.ModelName, token);
                model.UpdateTime = now;
                var archived = new List<ModelVersionRow>();
                if (archiveExisting && StageTransitions.IsExclusive(request.TargetStage))
                {
                    var target = (int)request.TargetStage;
                    archived = await db.ModelVersions.Include(v => v.Metrics)
                        .Where(v => v.ModelName == version.ModelName && v.Stage == target && v.Number != version.Number)
                        .ToListAsync(token);
                    foreach (var other in archived)
                    {
                        other.Stage = (int)ModelStage.Archived;
                        other.StageUpdateTime = now;
                    }
                }
                version.Stage = (int)request.TargetStage;
                version.StageUpdateTime = now;
                await db.SaveChangesAsync(token);
                response.ModelVersion = ProtoMapping.ToProto(version, uris);
                response.ArchivedVersions.AddRange(archived.OrderBy(v => v.Number).Select(v => ProtoMapping.ToProto(v, uris)));
                return response;
            }, ct);
        }
        catch (Exception e) when (DbErrors.ToDomainException(e, $"model '{request.ModelVersion?.ModelName}'") is { } refusal)
        {
            throw refusal;
        }
    }

    public async Task DeleteVersionAsync(ModelVersionRef reference, CancellationToken ct)
    {
        ModelVersionRow deleted;
        try
        {
            deleted = await ConcurrencyRetry.RunAsync(dbs, async (db, token) =>
            {
                var version = await ResolveAsync(db, reference, "model_version", tracked: true, token);
                if (version.Stage is (int)ModelStage.Staging or (int)ModelStage.Production)
                {
                    throw RegistryErrors.FailedPrecondition(
                        $"Model '{version.ModelName}' version {version.Number} is in {StageTransitions.Name((ModelStage)version.Stage)}; move it to ARCHIVED before deleting it.");
                }
                var model = await db.Models.SingleAsync(m => m.Name == version.ModelName, token);
                model.UpdateTime = Now();
                db.ModelVersions.Remove(version);
                await db.SaveChangesAsync(token);
                return version;
            }, ct);
        }
        catch (Exception e) when (DbErrors.ToDomainException(e, $"model '{reference?.ModelName}'") is { } refusal)
        {
            throw refusal;
        }
        // Artifacts are shared by content: remove one only when no other version refers to it.
        await using var check = await dbs.CreateDbContextAsync(ct);
        foreach (var key in new[] { deleted.WeightsKey, deleted.ModelCardKey }.Distinct())
        {
            if (!await check.ModelVersions.AnyAsync(v => v.WeightsKey == key || v.ModelCardKey == key, ct))
            {
                await store.DeleteAsync(key, ct);
            }
        }
    }

    // ---- artifacts ---------------------------------------------------------------------------------------------

    /// <summary>The artifact's reference and a stream of its bytes from <see cref="DownloadArtifactRequest.Offset"/>.</summary>
    public async Task<(ObjectRef Artifact, Stream Content)> OpenArtifactAsync(DownloadArtifactRequest request, CancellationToken ct)
    {
        if (request.Kind is not (ArtifactKind.Weights or ArtifactKind.ModelCard))
        {
            throw RegistryErrors.InvalidArgument("kind", "is required (WEIGHTS or MODEL_CARD).");
        }
        if (request.Offset < 0)
        {
            throw RegistryErrors.InvalidArgument("offset", $"{request.Offset} is negative.");
        }
        ModelVersion version;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            version = ProtoMapping.ToProto(await ResolveAsync(db, request.ModelVersion, "model_version", tracked: false, ct), uris);
        }
        var artifact = request.Kind == ArtifactKind.Weights ? version.Weights : version.ModelCard;
        if (request.Offset > artifact.SizeBytes)
        {
            throw RegistryErrors.InvalidArgument("offset", $"{request.Offset} is beyond the artifact's size of {artifact.SizeBytes} bytes.");
        }
        try
        {
            return (artifact, await store.OpenReadAsync(ObjectKey.ForSha256(artifact.Sha256), request.Offset, cancellationToken: ct));
        }
        catch (ObjectNotFoundException)
        {
            throw DomainException.DataLoss(
                $"The {request.Kind} artifact of model '{version.ModelName}' version {version.Version} is missing from the object store.");
        }
    }

    // ---- internals ---------------------------------------------------------------------------------------------

    private sealed record NewVersion(
        string ModelName, TaskType? TaskType, string? Architecture, Lineage? Lineage, PretrainedSource? Pretrained,
        IReadOnlyList<MetricValue> Metrics, IReadOnlyList<string> ClassNames, string Description,
        IReadOnlyDictionary<string, string>? Labels, ByteString ModelCardJson, string? IdempotencyKey);

    private sealed record StoredArtifacts(ObjectInfo Weights, ObjectInfo Card);

    /// <summary>Now, to the microsecond: PostgreSQL keeps microseconds, so what a call returns equals what a later read returns.</summary>
    private DateTime Now()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return now.AddTicks(-(now.Ticks % 10));
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

    private async Task<StoredArtifacts> StoreArtifactsAsync(
        NewVersion spec, Stream weights, WeightsUpload upload, string field, TaskType? task, string? architecture, CancellationToken ct)
    {
        ObjectInfo info;
        await using (var verifying = new VerifyingStream(weights, upload.SizeBytes, upload.Sha256, field))
        await using (var safetensors = new SafetensorsCheckingStream(verifying, upload.SizeBytes, field))
        {
            info = await PutCheckedAsync(safetensors, ct);
        }
        return await StoreCardAsync(spec, info, task, architecture, ct);
    }

    /// <summary>Stores a checked upload; a failed check (the source's last or header read throws) is INVALID_ARGUMENT and stores nothing.</summary>
    private async Task<ObjectInfo> PutCheckedAsync(Stream checkedSource, CancellationToken ct)
    {
        try
        {
            return await store.PutContentAddressedAsync(checkedSource, ct);
        }
        catch (Exception e) when (Find<ArtifactMismatchException>(e) is { } mismatch)
        {
            throw DomainException.InvalidArgument(mismatch.Message + " Nothing was stored.");
        }
        catch (Exception e) when (e is not DomainException && Find<DomainException>(e) is { } refusal)
        {
            throw refusal;
        }
    }

    private async Task<StoredArtifacts> StoreCardAsync(NewVersion spec, ObjectInfo weights, TaskType? task, string? architecture, CancellationToken ct)
    {
        byte[] card;
        if (!spec.ModelCardJson.IsEmpty)
        {
            card = spec.ModelCardJson.ToByteArray();
        }
        else
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var model = await db.Models.AsNoTracking().FirstOrDefaultAsync(m => m.Name == spec.ModelName, ct);
            card = ModelCard.Write(spec.ModelName, model is null ? task ?? TaskType.Unspecified : (TaskType)model.TaskType,
                model?.Architecture ?? architecture ?? "", spec.ClassNames, spec.Metrics, spec.Lineage, spec.Pretrained, spec.Description);
        }
        using var cardStream = new MemoryStream(card, writable: false);
        return new StoredArtifacts(weights, await store.PutContentAddressedAsync(cardStream, ct));
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
        var now = Now();
        var model = await db.Models.FirstOrDefaultAsync(m => m.Name == spec.ModelName, ct);
        if (model is null)
        {
            if (spec.TaskType is not { } task || spec.Architecture is not { } architecture)
            {
                throw RegistryErrors.ModelNotFound(spec.ModelName);
            }
            model = NewModelRow(spec.ModelName, task, architecture, spec.Pretrained is null ? "" : spec.Description, null);
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
        var row = new ModelVersionRow
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
        row.Metrics.AddRange(spec.Metrics.Select(m => new MetricRow
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

    private ModelRow NewModelRow(string name, TaskType task, string architecture, string description, IDictionary<string, string>? labels)
    {
        var now = Now();
        var row = new ModelRow
        {
            Name = name,
            TaskType = (int)task,
            Architecture = architecture,
            Description = description,
            CreateTime = now,
            UpdateTime = now,
        };
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            row.Labels.Add(new ModelLabelRow { ModelName = name, Key = key, Value = value });
        }
        return row;
    }

    private static void CheckLineageMatches(ModelRow model, Lineage? lineage)
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

    private static void CheckSameKind(ModelRow model, TaskType task, string architecture, string field)
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

    private static async Task<ModelVersionRow?> FindByIdempotencyKeyAsync(RegistryDbContext db, NewVersion spec, string sha256, CancellationToken ct)
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

    private static Task<ModelVersionRow?> FindBySha256Async(RegistryDbContext db, string model, string sha256, CancellationToken ct) =>
        db.ModelVersions.AsNoTracking().Include(v => v.Metrics)
            .Where(v => v.ModelName == model && v.WeightsSha256 == sha256).OrderBy(v => v.Number).FirstOrDefaultAsync(ct);

    /// <summary>The version a reference names (see ModelVersionRef in common.proto), or the matching NOT_FOUND / FAILED_PRECONDITION.</summary>
    private static async Task<ModelVersionRow> ResolveAsync(RegistryDbContext db, ModelVersionRef? reference, string field, bool tracked, CancellationToken ct)
    {
        if (reference is null)
        {
            throw RegistryErrors.InvalidArgument(field, "is required.");
        }
        var versions = tracked ? db.ModelVersions.Include(v => v.Metrics) : db.ModelVersions.AsNoTracking().Include(v => v.Metrics);
        if (reference.VersionId.Length > 0)
        {
            var id = reference.VersionId;
            var byId = await versions.FirstOrDefaultAsync(v => v.VersionId == id, ct) ?? throw RegistryErrors.VersionIdNotFound(id);
            if (reference.ModelName.Length > 0 && reference.ModelName != byId.ModelName)
            {
                throw RegistryErrors.FailedPrecondition(
                    $"{field}.version_id '{id}' is version {byId.Number} of model '{byId.ModelName}', not a version of model '{reference.ModelName}'.");
            }
            if (reference.Version != 0 && reference.Version != byId.Number)
            {
                throw RegistryErrors.InvalidArgument($"{field}.version", $"{reference.Version} differs from version {byId.Number} that {field}.version_id '{id}' names.");
            }
            return byId;
        }
        Validation.ModelName(reference.ModelName, $"{field}.model_name");
        if (reference.Version <= 0)
        {
            throw RegistryErrors.InvalidArgument($"{field}.version", $"{reference.Version} is not a version number (they start at 1).");
        }
        var (name, number) = (reference.ModelName, reference.Version);
        var row = await versions.FirstOrDefaultAsync(v => v.ModelName == name && v.Number == number, ct);
        if (row is not null)
        {
            return row;
        }
        throw await db.Models.AnyAsync(m => m.Name == name, ct) ? RegistryErrors.VersionNotFound(name, number) : RegistryErrors.ModelNotFound(name);
    }

    private static IQueryable<ModelVersionRow> FilterVersions(RegistryDbContext db, IQueryable<ModelVersionRow> versions, ModelStage stage, IEnumerable<MetricFilter> filters)
    {
        if (stage != ModelStage.Unspecified)
        {
            var value = (int)stage;
            versions = versions.Where(v => v.Stage == value);
        }
        foreach (var filter in filters)
        {
            var (name, threshold) = (filter.Name, filter.Value);
            var metrics = db.Metrics.Where(m => m.Name == name);
            metrics = filter.Comparison switch
            {
                MetricComparison.Greater => metrics.Where(m => m.Value > threshold),
                MetricComparison.GreaterOrEqual => metrics.Where(m => m.Value >= threshold),
                MetricComparison.Less => metrics.Where(m => m.Value < threshold),
                _ => metrics.Where(m => m.Value <= threshold),
            };
            versions = versions.Where(v => metrics.Any(m => m.ModelName == v.ModelName && m.VersionNumber == v.Number));
        }
        return versions;
    }

    /// <summary>The request without its paging fields, as text (label maps sorted), for page-token fingerprints.</summary>
    private static string Fingerprint<T>(T request, Action<T> clearPaging, IDictionary<string, string>? labels)
        where T : IMessage<T>, IDeepCloneable<T>
    {
        var clone = request.Clone();
        clearPaging(clone);
        var sortedLabels = labels is null ? "" : string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
        return JsonFormatter.Default.Format(clone) + "|" + sortedLabels;
    }

    private static TException? Find<TException>(Exception e)
        where TException : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is TException match)
            {
                return match;
            }
        }
        return null;
    }
}
