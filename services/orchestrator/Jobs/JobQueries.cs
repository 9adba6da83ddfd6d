using System.Globalization;
using System.Text;
using Cauchy.Domain;
using Cauchy.Orchestrator.Data;
using Cauchy.V1;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>GetJob and ListJobs: reads of the jobs table; a listing's page tokens are common.proto's (<see cref="PageToken"/>).</summary>
public sealed class JobQueries(JobStore store)
{
    public async Task<Job> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        JobStore.RequireId("job_id", jobId);
        await using var db = await store.Factory.CreateDbContextAsync(cancellationToken);
        var record = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId, cancellationToken)
            ?? throw JobErrors.JobNotFound(jobId);
        return JobEntities.ToProto(record);
    }

    /// <summary>Jobs matching the filter, newest first, keyset-paginated on (creation time, id).</summary>
    public async Task<JobPage> ListAsync(ListJobsRequest request, CancellationToken cancellationToken)
    {
        var pageSize = PageToken.Size(request.PageSize);
        var filters = Filters(request);
        await using var db = await store.Factory.CreateDbContextAsync(cancellationToken);
        var query = db.Jobs.AsNoTracking();
        if (request.States.Count > 0)
        {
            var states = request.States.Select(s => (int)s).Distinct().ToList();
            query = query.Where(j => states.Contains(j.State));
        }

        if (request.DatasetId.Length > 0)
        {
            query = query.Where(j => j.DatasetId == request.DatasetId);
        }

        foreach (var (key, value) in request.LabelSelector)
        {
            query = query.Where(j => db.JobLabels.Any(l => l.JobId == j.Id && l.Key == key && l.Value == value));
        }

        if (request.PageToken.Length > 0)
        {
            var (after, afterId) = DecodeToken(request.PageToken, filters);
            query = query.Where(j => j.CreatedAt < after || (j.CreatedAt == after && string.Compare(j.Id, afterId) < 0));
        }

        var records = await query
            .OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id)
            .Take(pageSize + 1)
            .ToListAsync(cancellationToken);
        var jobs = records.Take(pageSize).Select(JobEntities.ToProto).ToList();
        var fitting = PageBudget.Fit(jobs.Select(j => j.CalculateSize()));
        var next = records.Count > fitting ? EncodeToken(records[fitting - 1], filters) : null;
        return new JobPage(jobs.Take(fitting).ToList(), next);
    }

    // The request's other fields, which a token must be sent with unchanged; PageToken keeps only their fingerprint.
    private static string Filters(ListJobsRequest request)
    {
        var text = new StringBuilder();
        text.Append(string.Join(',', request.States.Select(s => (int)s).Distinct().Order())).Append('|').Append(request.DatasetId).Append('|');
        foreach (var (key, value) in request.LabelSelector.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            text.Append(key).Append('=').Append(value).Append(';');
        }

        return text.ToString();
    }

    private static string EncodeToken(JobEntity last, string filters) =>
        PageToken.Encode(filters, last.CreatedAt.Ticks.ToString(CultureInfo.InvariantCulture), last.Id);

    private static (DateTime After, string AfterId) DecodeToken(string token, string filters)
    {
        var position = PageToken.Decode(token, filters, 2)!;
        if (!long.TryParse(position[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) || ticks > DateTime.MaxValue.Ticks)
        {
            throw PageToken.NotIssued();
        }

        return (new DateTime(ticks, DateTimeKind.Utc), position[1]);
    }
}
