using Cauchy.Domain;
using Cauchy.Orchestrator.Data;
using Cauchy.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>
/// GetJobMetrics, and the metric points heartbeats and completions report: one point per (job, name, step), with the
/// latest value of each name kept on the job.
/// </summary>
public sealed class JobMetrics(JobStore store)
{
    public const int MaxMetricNameLength = 200;

    /// <summary>The job's curves: one series per metric name (ordered by name), points by step.</summary>
    public async Task<IReadOnlyList<MetricSeries>> GetMetricsAsync(string jobId, IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        JobStore.RequireId("job_id", jobId);
        await using var db = await store.Factory.CreateDbContextAsync(cancellationToken);
        if (!await db.Jobs.AnyAsync(j => j.Id == jobId, cancellationToken))
        {
            throw JobErrors.JobNotFound(jobId);
        }

        var query = db.JobMetricPoints.AsNoTracking().Where(p => p.JobId == jobId);
        if (names.Count > 0)
        {
            var wanted = names.Distinct().ToList();
            query = query.Where(p => wanted.Contains(p.Name));
        }

        var points = await query.ToListAsync(cancellationToken);
        return points
            .GroupBy(p => p.Name)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var series = new MetricSeries { Name = g.Key };
                series.Points.AddRange(g.OrderBy(p => p.Step).Select(p => new MetricValue
                {
                    Name = p.Name,
                    Value = p.Value,
                    Step = p.Step,
                    Epoch = p.Epoch,
                    Time = Timestamp.FromDateTime(p.Time),
                }));
                return series;
            })
            .ToList();
    }

    /// <summary>Upserts points per (job, name, step) and keeps the latest value of each name on the job.</summary>
    internal static async Task RecordMetricsAsync(OrchestratorDbContext db, JobEntity job, IReadOnlyList<MetricValue> metrics, DateTime now)
    {
        if (metrics.Count == 0)
        {
            return;
        }

        // The last report of a (name, step) within one request wins, as a later request's would.
        var reported = metrics.GroupBy(m => (m.Name, m.Step)).Select(g => g.Last()).ToList();
        var names = reported.Select(m => m.Name).Distinct().ToList();
        var steps = reported.Select(m => m.Step).Distinct().ToList();
        var existing = (await db.JobMetricPoints
                .Where(p => p.JobId == job.Id && names.Contains(p.Name) && steps.Contains(p.Step))
                .ToListAsync())
            .ToDictionary(p => (p.Name, p.Step));
        var latest = job.LastMetrics is null
            ? new Dictionary<string, MetricValue>()
            : MetricSeries.Parser.ParseFrom(job.LastMetrics).Points.ToDictionary(p => p.Name);
        foreach (var metric in reported)
        {
            var at = metric.Time?.ToDateTime() ?? now;
            if (existing.TryGetValue((metric.Name, metric.Step), out var point))
            {
                point.Value = metric.Value;
                point.Epoch = metric.Epoch;
                point.Time = at;
            }
            else
            {
                db.JobMetricPoints.Add(new JobMetricPointEntity { JobId = job.Id, Name = metric.Name, Step = metric.Step, Value = metric.Value, Epoch = metric.Epoch, Time = at });
            }

            if (!latest.TryGetValue(metric.Name, out var current) || metric.Step >= current.Step)
            {
                var value = metric.Clone();
                value.Time = Timestamp.FromDateTime(at);
                latest[metric.Name] = value;
            }
        }

        var series = new MetricSeries();
        series.Points.AddRange(latest.Values.OrderBy(v => v.Name, StringComparer.Ordinal));
        job.LastMetrics = series.ToByteArray();
    }

    internal static void ValidateMetrics(string field, IReadOnlyList<MetricValue> metrics)
    {
        for (var i = 0; i < metrics.Count; i++)
        {
            var metric = metrics[i];
            if (metric.Name.Length == 0 || metric.Name.Length > MaxMetricNameLength)
            {
                throw DomainException.InvalidArgument($"{field}[{i}].name", $"must be 1 to {MaxMetricNameLength} characters, e.g. \"train/loss\"");
            }

            if (metric.Step < 0)
            {
                throw DomainException.InvalidArgument($"{field}[{i}].step", $"must not be negative, got {metric.Step}");
            }

            if (!double.IsFinite(metric.Value))
            {
                throw DomainException.InvalidArgument($"{field}[{i}].value", $"must be a finite number, got {metric.Value} for '{metric.Name}' (fail the job when training diverges)");
            }
        }
    }
}
