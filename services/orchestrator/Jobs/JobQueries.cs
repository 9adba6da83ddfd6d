using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Cauchy.Domain;
using Cauchy.Orchestrator.Data;
using Cauchy.V1;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>GetJob and ListJobs: reads of the jobs table, and the page tokens that carry a listing across calls.</summary>
public sealed class JobQueries(JobStore store)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 1000;

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
        if (request.PageSize < 0)
        {
            throw DomainException.InvalidArgument("page_size", $"must not be negative, got {request.PageSize}");
        }

        var pageSize = request.PageSize == 0 ? DefaultPageSize : Math.Min(request.PageSize, MaxPageSize);
        var filterHash = FilterHash(request);
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
            var (after, afterId) = DecodeToken(request.PageToken, filterHash);
            query = query.Where(j => j.CreatedAt < after || (j.CreatedAt == after && string.Compare(j.Id, afterId) < 0));
        }

        var records = await query
            .OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id)
            .Take(pageSize + 1)
            .ToListAsync(cancellationToken);
        var next = records.Count > pageSize ? EncodeToken(records[pageSize - 1], filterHash) : null;
        return new JobPage(records.Take(pageSize).Select(JobEntities.ToProto).ToList(), next);
    }

    private static string FilterHash(ListJobsRequest request)
    {
        var text = new StringBuilder();
        text.Append(string.Join(',', request.States.Select(s => (int)s).Distinct().Order())).Append('|').Append(request.DatasetId).Append('|');
        foreach (var (key, value) in request.LabelSelector.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            text.Append(key).Append('=').Append(value).Append(';');
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private static string EncodeToken(JobEntity last, string filterHash) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{last.CreatedAt.Ticks.ToString(CultureInfo.InvariantCulture)}:{filterHash}:{last.Id}"));

    private static (DateTime After, string AfterId) DecodeToken(string token, string filterHash)
    {
        string[] parts;
        try
        {
            parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split(':', 3);
        }
        catch (FormatException)
        {
            parts = [];
        }

        if (parts.Length != 3 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) || ticks > DateTime.MaxValue.Ticks)
        {
            throw DomainException.InvalidArgument("page_token", "is not a token this service issued; start again without one");
        }

        if (parts[1] != filterHash)
        {
            throw DomainException.InvalidArgument("page_token", "was issued for different filters (states, label_selector, dataset_id); repeat them unchanged or start again without a token");
        }

        return (new DateTime(ticks, DateTimeKind.Utc), parts[2]);
    }
}
