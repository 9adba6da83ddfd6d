using System.Text.Json;
using Cauchy.Data;
using Cauchy.Datasets.Domain;
using Cauchy.Domain;
using Cauchy.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Datasets.Data;

/// <summary>The dataset store over EF Core (SQLite or PostgreSQL through Cauchy.Data); every write runs under <see cref="ConcurrencyRetry"/>.</summary>
public sealed class EfDatasetStore(IDbContextFactory<DatasetsDbContext> factory, TimeProvider time) : IDatasetStore
{
    public async Task<Dataset> CreateDatasetAsync(Dataset dataset, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        if (await db.Datasets.AnyAsync(d => d.Id == dataset.Id, cancellationToken))
        {
            throw DomainException.AlreadyExists($"dataset '{dataset.Id}' already exists");
        }
        db.Datasets.Add(new DatasetEntity
        {
            Id = dataset.Id,
            DisplayName = dataset.DisplayName,
            Description = dataset.Description,
            TaskType = (int)dataset.TaskType,
            LabelsJson = JsonSerializer.Serialize(dataset.Labels.ToDictionary(p => p.Key, p => p.Value)),
            CreateTime = dataset.CreateTime.ToDateTime(),
            UpdateTime = dataset.UpdateTime.ToDateTime(),
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            throw DomainException.AlreadyExists($"dataset '{dataset.Id}' already exists");
        }
        return dataset;
    }

    public async Task<Dataset?> FindDatasetAsync(string datasetId, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var entity = await db.Datasets.AsNoTracking().FirstOrDefaultAsync(d => d.Id == datasetId, cancellationToken);
        return entity is null ? null : (await WithVersionsAsync(db, [entity], cancellationToken))[0];
    }

    public async Task<IReadOnlyList<Dataset>> ListDatasetsAsync(string? afterId, int limit, TaskType taskType, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var query = db.Datasets.AsNoTracking();
        if (afterId is not null)
        {
            query = query.Where(d => string.Compare(d.Id, afterId) > 0);
        }
        if (taskType != TaskType.Unspecified)
        {
            query = query.Where(d => d.TaskType == (int)taskType);
        }
        var entities = await query.OrderBy(d => d.Id).Take(limit).ToListAsync(cancellationToken);
        return await WithVersionsAsync(db, entities, cancellationToken);
    }

    private static async Task<List<Dataset>> WithVersionsAsync(DatasetsDbContext db, List<DatasetEntity> entities, CancellationToken cancellationToken)
    {
        var ids = entities.Select(e => e.Id).ToList();
        var versions = await db.Versions.AsNoTracking()
            .Where(v => ids.Contains(v.DatasetId) && v.State == VersionState.Ready)
            .Select(v => new { v.DatasetId, v.VersionId, v.CreateTime, v.ImportId })
            .ToListAsync(cancellationToken);
        var byDataset = versions.GroupBy(v => v.DatasetId).ToDictionary(g => g.Key, g => g.ToList());
        return entities.Select(e =>
        {
            var dataset = new Dataset
            {
                Id = e.Id,
                DisplayName = e.DisplayName,
                Description = e.Description,
                TaskType = (TaskType)e.TaskType,
                CreateTime = Timestamp.FromDateTime(e.CreateTime),
                UpdateTime = Timestamp.FromDateTime(e.UpdateTime),
            };
            dataset.Labels.Add(JsonSerializer.Deserialize<Dictionary<string, string>>(e.LabelsJson) ?? []);
            if (byDataset.TryGetValue(e.Id, out var list))
            {
                dataset.VersionCount = list.Count;
                dataset.LatestVersionId = list.OrderByDescending(v => v.CreateTime).ThenByDescending(v => v.ImportId, StringComparer.Ordinal).First().VersionId!;
            }
            return dataset;
        }).ToList();
    }

    public Task<IReadOnlyList<string>> DeleteDatasetAsync(string datasetId, bool force, CancellationToken cancellationToken) =>
        ConcurrencyRetry.RunAsync<DatasetsDbContext, IReadOnlyList<string>>(factory, async (db, ct) =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var dataset = await db.Datasets.FirstOrDefaultAsync(d => d.Id == datasetId, ct)
                ?? throw DomainException.NotFound($"dataset '{datasetId}' does not exist");
            var rows = await db.Versions.Where(v => v.DatasetId == datasetId && v.State != VersionState.Deleting).ToListAsync(ct);
            var ready = rows.Count(r => r.State == VersionState.Ready);
            if (ready > 0 && !force)
            {
                throw DomainException.FailedPrecondition($"dataset '{datasetId}' still has {ready} version(s); delete them first or set force");
            }
            foreach (var row in rows)
            {
                row.State = VersionState.Deleting;
                row.VersionId = null;
            }
            db.Datasets.Remove(dataset);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return rows.Select(r => r.ObjectPrefix).ToList();
        }, cancellationToken);

    public async Task<StoredVersion?> FindVersionAsync(string datasetId, string versionId, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var row = await db.Versions.AsNoTracking()
            .FirstOrDefaultAsync(v => v.DatasetId == datasetId && v.VersionId == versionId && v.State == VersionState.Ready, cancellationToken);
        return row is null ? null : ToStored(row);
    }

    public async Task<IReadOnlyList<StoredVersion>> ListVersionsAsync(string datasetId, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Versions.AsNoTracking()
            .Where(v => v.DatasetId == datasetId && v.State == VersionState.Ready)
            .OrderByDescending(v => v.CreateTime).ThenByDescending(v => v.ImportId)
            .Skip(offset).Take(limit)
            .ToListAsync(cancellationToken);
        return rows.Select(ToStored).ToList();
    }

    public async Task BeginImportAsync(string datasetId, string importId, string objectPrefix, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        db.Versions.Add(new VersionEntity
        {
            ImportId = importId,
            DatasetId = datasetId,
            State = VersionState.Importing,
            ObjectPrefix = objectPrefix,
            CreateTime = time.GetUtcNow().UtcDateTime,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<(StoredVersion Version, bool AlreadyExisted)> CommitImportAsync(string importId, StoredVersion version, CancellationToken cancellationToken)
    {
        var datasetId = version.Version.DatasetId;
        var versionId = version.Version.VersionId;
        try
        {
            return await ConcurrencyRetry.RunAsync<DatasetsDbContext, (StoredVersion, bool)>(factory, async (db, ct) =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                var dataset = await db.Datasets.FirstOrDefaultAsync(d => d.Id == datasetId, ct)
                    ?? throw DomainException.NotFound($"dataset '{datasetId}' was deleted during the import");
                var existing = await db.Versions.AsNoTracking()
                    .FirstOrDefaultAsync(v => v.DatasetId == datasetId && v.VersionId == versionId && v.State == VersionState.Ready, ct);
                if (existing is not null)
                {
                    return (ToStored(existing), true);
                }
                var row = await db.Versions.FirstOrDefaultAsync(v => v.ImportId == importId && v.State == VersionState.Importing, ct)
                    ?? throw DomainException.NotFound($"dataset '{datasetId}' was deleted during the import");
                var now = time.GetUtcNow().UtcDateTime;
                version.Version.CreateTime = Timestamp.FromDateTime(now);
                row.VersionId = versionId;
                row.State = VersionState.Ready;
                row.CreateTime = now;
                row.VersionProto = version.Version.ToByteArray();
                row.ManifestProto = version.Manifest.ToByteArray();
                row.StatisticsProto = version.Statistics.ToByteArray();
                dataset.UpdateTime = now;
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
                return (version, false);
            }, cancellationToken);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            // Another import of the same content committed between our check and our write.
            return (await FindVersionAsync(datasetId, versionId, cancellationToken)
                ?? throw DomainException.NotFound($"dataset '{datasetId}' has no version '{versionId}'"), true);
        }
    }

    public Task<string> DeleteVersionAsync(string datasetId, string versionId, CancellationToken cancellationToken) =>
        ConcurrencyRetry.RunAsync<DatasetsDbContext, string>(factory, async (db, ct) =>
        {
            var row = await db.Versions.FirstOrDefaultAsync(v => v.DatasetId == datasetId && v.VersionId == versionId && v.State == VersionState.Ready, ct)
                ?? throw DomainException.NotFound($"dataset '{datasetId}' has no version '{versionId}'");
            row.State = VersionState.Deleting;
            row.VersionId = null;
            if (await db.Datasets.FirstOrDefaultAsync(d => d.Id == datasetId, ct) is { } dataset)
            {
                dataset.UpdateTime = time.GetUtcNow().UtcDateTime;
            }
            await db.SaveChangesAsync(ct);
            return row.ObjectPrefix;
        }, cancellationToken);

    public async Task ForgetPrefixAsync(string objectPrefix, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.Versions.Where(v => v.ObjectPrefix == objectPrefix && v.State != VersionState.Ready).ExecuteDeleteAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListAbandonedPrefixesAsync(DateTime importsBegunBefore, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.Versions.AsNoTracking()
            .Where(v => v.State == VersionState.Deleting || (v.State == VersionState.Importing && v.CreateTime <= importsBegunBefore))
            .Select(v => v.ObjectPrefix)
            .ToListAsync(cancellationToken);
    }

    private static StoredVersion ToStored(VersionEntity row) => new(
        DatasetVersion.Parser.ParseFrom(row.VersionProto),
        row.ObjectPrefix,
        ShardManifest.Parser.ParseFrom(row.ManifestProto),
        DatasetStatistics.Parser.ParseFrom(row.StatisticsProto));
}
