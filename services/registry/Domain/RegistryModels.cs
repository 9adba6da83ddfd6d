using Cauchy.Data;
using Cauchy.Domain;
using Cauchy.Registry.Data;
using Cauchy.Storage;
using Cauchy.V1;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Registry.Domain;

/// <summary>CreateModel, GetModel and ListModels: the models a registry holds, each with its task type and architecture.</summary>
public sealed class RegistryModels(IDbContextFactory<RegistryDbContext> dbs, TimeProvider clock)
{
    public async Task<Model> CreateModelAsync(CreateModelRequest request, CancellationToken ct)
    {
        Validation.ModelName(request.ModelName, "model_name");
        Validation.TaskType(request.TaskType, "task_type");
        Validation.Architecture(request.Architecture, "architecture");
        Validation.Labels(request.Labels, "labels");
        Validation.FreeText("", request.Description);
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await db.Models.AnyAsync(m => m.Name == request.ModelName, ct))
        {
            throw RegistryErrors.ModelExists(request.ModelName);
        }
        var row = RegistryEntities.NewModelEntity(clock, request.ModelName, request.TaskType, request.Architecture, request.Description, request.Labels);
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
        var pageSize = PageToken.Size(request.PageSize);
        Validation.Stage(request.Stage, "stage", allowUnspecified: true);
        Validation.MetricFilters(request.MetricFilters, "metric_filters");
        if (request.TaskType != TaskType.Unspecified)
        {
            Validation.TaskType(request.TaskType, "task_type");
        }
        var filters = RegistryEntities.Fingerprint(request, r => { r.PageSize = 0; r.PageToken = ""; r.LabelSelector.Clear(); }, request.LabelSelector);
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
            var versions = RegistryEntities.FilterVersions(db, db.ModelVersions, request.Stage, request.MetricFilters);
            models = models.Where(m => versions.Any(v => v.ModelName == m.Name));
        }
        if (cursor is not null)
        {
            var after = cursor[0];
            models = models.Where(m => string.Compare(m.Name, after) > 0);
        }
        var page = await models.OrderBy(m => m.Name).Take(pageSize + 1).Include(m => m.Labels).ToListAsync(ct);
        var response = new ListModelsResponse();
        var items = page.Take(pageSize).Select(ProtoMapping.ToProto).ToList();
        var fitting = PageBudget.Fit(items.Select(i => i.CalculateSize()));
        response.Models.AddRange(items.Take(fitting));
        if (page.Count > fitting)
        {
            response.NextPageToken = PageToken.Encode(filters, page[fitting - 1].Name);
        }
        return response;
    }
}
