using Cauchy.Registry.Data;
using Cauchy.V1;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Registry.Domain;

/// <summary>What the registry's use cases share: the clock, new model rows, resolving a version reference, version filters and page-token fingerprints.</summary>
internal static class RegistryEntities
{
    /// <summary>Now, to the microsecond: PostgreSQL keeps microseconds, so what a call returns equals what a later read returns.</summary>
    internal static DateTime Now(TimeProvider clock)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return now.AddTicks(-(now.Ticks % 10));
    }

    internal static ModelEntity NewModelEntity(TimeProvider clock, string name, TaskType task, string architecture, string description, IDictionary<string, string>? labels)
    {
        var now = Now(clock);
        var row = new ModelEntity
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
            row.Labels.Add(new ModelLabelEntity { ModelName = name, Key = key, Value = value });
        }
        return row;
    }

    /// <summary>The version a reference names (see ModelVersionRef in common.proto), or the matching NOT_FOUND / FAILED_PRECONDITION.</summary>
    internal static async Task<ModelVersionEntity> ResolveAsync(RegistryDbContext db, ModelVersionRef? reference, string field, bool tracked, CancellationToken ct)
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

    internal static IQueryable<ModelVersionEntity> FilterVersions(RegistryDbContext db, IQueryable<ModelVersionEntity> versions, ModelStage stage, IEnumerable<MetricFilter> filters)
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
    internal static string Fingerprint<T>(T request, Action<T> clearPaging, IDictionary<string, string>? labels)
        where T : IMessage<T>, IDeepCloneable<T>
    {
        var clone = request.Clone();
        clearPaging(clone);
        var sortedLabels = labels is null ? "" : string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
        return JsonFormatter.Default.Format(clone) + "|" + sortedLabels;
    }
}
