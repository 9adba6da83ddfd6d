using System.Globalization;
using System.Text;
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
        db.Evaluations.Add(new EvaluationRecord
        {
            Id = evaluation.Id,
            Kind = (int)evaluation.Kind,
            JobId = evaluation.JobId,
            ModelName = evaluation.ModelVersion?.ModelName ?? "",
            ModelVersion = evaluation.ModelVersion?.Version ?? 0,
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

        if (filter.Kind is { } kind)
        {
            query = query.Where(e => e.Kind == (int)kind);
        }

        if (pageToken is not null)
        {
            var (after, afterId) = DecodeToken(pageToken);
            query = query.Where(e => e.CreatedAt < after || (e.CreatedAt == after && string.Compare(e.Id, afterId) < 0));
        }

        var records = await query
            .OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id)
            .Take(pageSize + 1)
            .ToListAsync(cancellationToken);
        var page = records.Take(pageSize).Select(r =>
        {
            var evaluation = Evaluation.Parser.ParseFrom(r.Payload);
            if (!filter.IncludeDetails)
            {
                evaluation.ClearResult();
            }

            return evaluation;
        }).ToList();
        var next = records.Count > pageSize ? EncodeToken(records[pageSize - 1]) : null;
        return new EvaluationPage(page, next);
    }

    private static string EncodeToken(EvaluationRecord last) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{last.CreatedAt.Ticks.ToString(CultureInfo.InvariantCulture)}:{last.Id}"));

    private static (DateTime After, string AfterId) DecodeToken(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var colon = text.IndexOf(':');
            var ticks = long.Parse(text[..colon], NumberStyles.None, CultureInfo.InvariantCulture);
            return (new DateTime(ticks, DateTimeKind.Utc), text[(colon + 1)..]);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            throw DomainException.InvalidArgument("page_token", "is not a token this service issued; start again without one");
        }
    }
}
