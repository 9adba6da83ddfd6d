using System.Globalization;
using Cauchy.Domain;
using Cauchy.Metrics.Data;
using Cauchy.V1;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Metrics.Evaluations;

/// <summary>
/// Evaluations in the service's database (SQLite or PostgreSQL via Cauchy.Data). Lists are keyset-paginated on
/// (creation time, id), newest first, so a page token stays valid while new evaluations arrive.
/// </summary>
public sealed class EfEvaluationStore(IDbContextFactory<MetricsDbContext> factory) : IEvaluationStore
{
    public async Task SaveAsync(Evaluation evaluation, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        db.Evaluations.Add(new EvaluationEntity
        {
            Id = evaluation.Id,
            Kind = (int)evaluation.Kind,
            JobId = evaluation.JobId,
            ModelName = evaluation.ModelVersion?.ModelName ?? "",
            ModelVersion = evaluation.ModelVersion?.Version ?? 0,
            DatasetId = evaluation.DatasetVersion?.DatasetId ?? "",
            DatasetVersionId = evaluation.DatasetVersion?.VersionId ?? "",
            CreatedAt = evaluation.CreateTime.ToDateTime(),
            Payload = evaluation.ToByteArray(),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<Evaluation?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var record = await db.Evaluations.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, cancellationToken);
        return record is null ? null : Evaluation.Parser.ParseFrom(record.Payload);
    }

    public async Task<EvaluationPage> ListAsync(EvaluationFilter filter, int pageSize, string? pageToken, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var query = db.Evaluations.AsNoTracking();
        if (filter.JobId is { } job)
        {
            query = query.Where(e => e.JobId == job);
        }

        if (filter.ModelName is { } model)
        {
            query = query.Where(e => e.ModelName == model);
            if (filter.ModelVersion > 0)
            {
                query = query.Where(e => e.ModelVersion == filter.ModelVersion);
            }
        }

        if (filter.DatasetId is { } dataset)
        {
            query = query.Where(e => e.DatasetId == dataset);
            if (filter.DatasetVersionId is { } datasetVersion)
            {
                query = query.Where(e => e.DatasetVersionId == datasetVersion);
            }
        }

        if (filter.Kind is { } kind)
        {
            query = query.Where(e => e.Kind == (int)kind);
        }

        if (pageToken is not null)
        {
            var (after, afterId) = DecodeToken(pageToken, filter);
            query = query.Where(e => e.CreatedAt < after || (e.CreatedAt == after && string.Compare(e.Id, afterId) < 0));
        }

        var records = await query
            .OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id)
            .Take(pageSize + 1)
            .ToListAsync(cancellationToken);
        var evaluations = records.Take(pageSize).Select(r =>
        {
            var evaluation = Evaluation.Parser.ParseFrom(r.Payload);
            if (!filter.IncludeDetails)
            {
                evaluation.ClearResult();
            }

            return evaluation;
        }).ToList();
        var fitting = PageBudget.Fit(evaluations.Select(e => e.CalculateSize()));
        var next = records.Count > fitting ? EncodeToken(filter, records[fitting - 1]) : null;
        return new EvaluationPage(evaluations.Take(fitting).ToList(), next);
    }

    /// <summary>The filters a page token belongs to (IncludeDetails may change between pages: it selects no rows).</summary>
    private static string Filters(EvaluationFilter filter) =>
        string.Join('\n', filter.JobId ?? "", filter.ModelName ?? "", filter.ModelVersion.ToString(CultureInfo.InvariantCulture),
            filter.Kind is { } kind ? ((int)kind).ToString(CultureInfo.InvariantCulture) : "", filter.DatasetId ?? "", filter.DatasetVersionId ?? "");

    private static string EncodeToken(EvaluationFilter filter, EvaluationEntity last) =>
        PageToken.Encode(Filters(filter), last.CreatedAt.Ticks.ToString(CultureInfo.InvariantCulture), last.Id);

    private static (DateTime After, string AfterId) DecodeToken(string token, EvaluationFilter filter)
    {
        var position = PageToken.Decode(token, Filters(filter), 2)!;
        if (!long.TryParse(position[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTime.MaxValue.Ticks)
        {
            throw PageToken.NotIssued();
        }
        return (new DateTime(ticks, DateTimeKind.Utc), position[1]);
    }
}
