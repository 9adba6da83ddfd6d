using Cauchy.Data;
using Cauchy.Domain;
using Cauchy.Registry.Data;
using Cauchy.Storage;
using Cauchy.V1;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Registry.Domain;

/// <summary>GetModelVersion and the version listings: by model, pretrained by architecture, by dataset lineage.</summary>
public sealed class VersionQueries(IDbContextFactory<RegistryDbContext> dbs, ArtifactUris uris)
{
    public async Task<ModelVersion> GetVersionAsync(ModelVersionRef reference, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return ProtoMapping.ToProto(await RegistryEntities.ResolveAsync(db, reference, "model_version", tracked: false, ct), uris);
    }

    public async Task<ListModelVersionsResponse> ListVersionsAsync(ListModelVersionsRequest request, CancellationToken ct)
    {
        Validation.ModelName(request.ModelName, "model_name");
        var pageSize = PageToken.Size(request.PageSize);
        Validation.Stage(request.Stage, "stage", allowUnspecified: true);
        Validation.MetricFilters(request.MetricFilters, "metric_filters");
        var filters = RegistryEntities.Fingerprint(request, r => { r.PageSize = 0; r.PageToken = ""; }, null);
        var cursor = PageToken.Decode(request.PageToken, filters, 1);
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (!await db.Models.AnyAsync(m => m.Name == request.ModelName, ct))
        {
            throw RegistryErrors.ModelNotFound(request.ModelName);
        }
        var name = request.ModelName;
        var versions = RegistryEntities.FilterVersions(db, db.ModelVersions.AsNoTracking().Where(v => v.ModelName == name), request.Stage, request.MetricFilters);
        if (cursor is not null)
        {
            var before = int.Parse(cursor[0], System.Globalization.CultureInfo.InvariantCulture);
            versions = versions.Where(v => v.Number < before);
        }
        var page = await versions.OrderByDescending(v => v.Number).Take(pageSize + 1).Include(v => v.Metrics).ToListAsync(ct);
        var response = new ListModelVersionsResponse();
        var items = page.Take(pageSize).Select(v => ProtoMapping.ToProto(v, uris)).ToList();
        var fitting = PageBudget.Fit(items.Select(i => i.CalculateSize()));
        response.ModelVersions.AddRange(items.Take(fitting));
        if (page.Count > fitting)
        {
            response.NextPageToken = PageToken.Encode(filters, page[fitting - 1].Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return response;
    }

    public async Task<ListPretrainedResponse> ListPretrainedAsync(ListPretrainedRequest request, CancellationToken ct)
    {
        var pageSize = PageToken.Size(request.PageSize);
        if (request.TaskType != TaskType.Unspecified)
        {
            Validation.TaskType(request.TaskType, "task_type");
        }
        var filters = RegistryEntities.Fingerprint(request, r => { r.PageSize = 0; r.PageToken = ""; }, null);
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
        var items = page.Take(pageSize).Select(v => ProtoMapping.ToProto(v, uris)).ToList();
        var fitting = PageBudget.Fit(items.Select(i => i.CalculateSize()));
        response.ModelVersions.AddRange(items.Take(fitting));
        if (page.Count > fitting)
        {
            var last = page[fitting - 1];
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
        var pageSize = PageToken.Size(request.PageSize);
        var filters = RegistryEntities.Fingerprint(request, r => { r.PageSize = 0; r.PageToken = ""; }, null);
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
        var items = page.Take(pageSize).Select(v => ProtoMapping.ToProto(v, uris)).ToList();
        var fitting = PageBudget.Fit(items.Select(i => i.CalculateSize()));
        response.ModelVersions.AddRange(items.Take(fitting));
        if (page.Count > fitting)
        {
            var last = page[fitting - 1];
            response.NextPageToken = PageToken.Encode(filters, last.ModelName, last.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return response;
    }
}
