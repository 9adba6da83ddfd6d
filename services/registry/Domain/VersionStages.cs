using Cauchy.Data;
using Cauchy.Domain;
using Cauchy.Registry.Data;
using Cauchy.Storage;
using Cauchy.V1;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Registry.Domain;

/// <summary>TransitionStage and DeleteVersion: a version's life after registration, and its artifacts' end.</summary>
public sealed class VersionStages(IDbContextFactory<RegistryDbContext> dbs, IObjectStore store, ArtifactUris uris, TimeProvider clock)
{
    public async Task<TransitionStageResponse> TransitionStageAsync(TransitionStageRequest request, CancellationToken ct)
    {
        Validation.Stage(request.TargetStage, "target_stage", allowUnspecified: false);
        var archiveExisting = !request.HasArchiveExisting || request.ArchiveExisting;
        try
        {
            return await ConcurrencyRetry.RunAsync(dbs, async (db, token) =>
            {
                var version = await RegistryEntities.ResolveAsync(db, request.ModelVersion, "model_version", tracked: true, token);
                var from = (ModelStage)version.Stage;
                var response = new TransitionStageResponse();
                if (from == request.TargetStage)
                {
                    response.ModelVersion = ProtoMapping.ToProto(version, uris);
                    return response;
                }
                StageTransitions.Check(version.ModelName, version.Number, from, request.TargetStage);
                var now = RegistryEntities.Now(clock);
                // Touching the model row makes concurrent moves within one model conflict (and retry), so two
                // promotions at once cannot leave two PRODUCTION versions.
                var model = await db.Models.SingleAsync(m => m.Name == version.ModelName, token);
                model.UpdateTime = now;
                var archived = new List<ModelVersionEntity>();
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
        ModelVersionEntity deleted;
        try
        {
            deleted = await ConcurrencyRetry.RunAsync(dbs, async (db, token) =>
            {
                var version = await RegistryEntities.ResolveAsync(db, reference, "model_version", tracked: true, token);
                if (version.Stage is (int)ModelStage.Staging or (int)ModelStage.Production)
                {
                    throw RegistryErrors.FailedPrecondition(
                        $"Model '{version.ModelName}' version {version.Number} is in {StageTransitions.Name((ModelStage)version.Stage)}; move it to ARCHIVED before deleting it.");
                }
                var model = await db.Models.SingleAsync(m => m.Name == version.ModelName, token);
                model.UpdateTime = RegistryEntities.Now(clock);
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
}
