using System.Diagnostics.Metrics;
using Cauchy.Orchestrator.Data;
using Cauchy.Orchestrator.Jobs;
using Cauchy.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cauchy.Orchestrator.Telemetry;

/// <summary>
/// The orchestrator's Prometheus series (meter "Cauchy.Orchestrator"), read from the database at scrape time and
/// cached for Jobs:GaugeCacheSeconds: queue depth, jobs by state, and each running job's latest training values
/// labelled job_id, model (architecture) and dataset. See services/orchestrator/README.md for the exported names.
/// </summary>
public sealed class JobGauges : IDisposable
{
    public const string MeterName = "Cauchy.Orchestrator";

    /// <summary>Heartbeat metric names (cauchy.v1.MetricValue.name) exported as per-job gauges, and their instrument names.</summary>
    public static readonly IReadOnlyDictionary<string, string> TrainingSeries = new Dictionary<string, string>
    {
        ["train/loss"] = "cauchy.job.train_loss",
        ["train/accuracy"] = "cauchy.job.train_accuracy",
        ["validation/loss"] = "cauchy.job.validation_loss",
        ["validation/accuracy"] = "cauchy.job.validation_accuracy",
        ["validation/top5_accuracy"] = "cauchy.job.validation_top5_accuracy",
        ["validation/map"] = "cauchy.job.validation_map",
        ["validation/mean_iou"] = "cauchy.job.validation_mean_iou",
        ["learning_rate"] = "cauchy.job.learning_rate",
        ["samples_per_second"] = "cauchy.job.samples_per_second",
        ["gpu_memory_bytes"] = "cauchy.job.gpu_memory_bytes",
    };

    private static readonly JobState[] States =
        [JobState.Queued, JobState.Running, JobState.Cancelling, JobState.Succeeded, JobState.Failed, JobState.Cancelled];

    private readonly IDbContextFactory<OrchestratorDbContext> factory;
    private readonly TimeProvider time;
    private readonly TimeSpan cacheFor;
    private readonly Meter meter = new(MeterName);
    private readonly Lock gate = new();
    private Snapshot? cached;
    private long cachedAt;

    public JobGauges(IDbContextFactory<OrchestratorDbContext> factory, IOptions<JobsOptions> options, TimeProvider time)
    {
        this.factory = factory;
        this.time = time;
        cacheFor = TimeSpan.FromSeconds(options.Value.GaugeCacheSeconds);
        meter.CreateObservableGauge("cauchy.jobs.queued", () => Current().Counts.GetValueOrDefault(JobState.Queued), "{job}",
            "Jobs waiting for a worker (queue depth).");
        meter.CreateObservableGauge("cauchy.jobs", () => States.Select(s =>
            new Measurement<long>(Current().Counts.GetValueOrDefault(s), new KeyValuePair<string, object?>("state", JobStateMachine.Name(s).ToLowerInvariant()))),
            "{job}", "Jobs by state.");
        foreach (var (metricName, instrument) in TrainingSeries)
        {
            meter.CreateObservableGauge(instrument, () => Current().Running
                .Where(j => j.Values.ContainsKey(metricName))
                .Select(j => new Measurement<double>(j.Values[metricName], j.Tags)),
                description: $"The latest '{metricName}' a running job reported.");
        }

        meter.CreateObservableGauge("cauchy.job.epoch", () => Current().Running.Select(j => new Measurement<int>(j.Epoch, j.Tags)),
            description: "The epoch a running job is in (1-based).");
        meter.CreateObservableGauge("cauchy.job.step", () => Current().Running.Select(j => new Measurement<long>(j.Step, j.Tags)),
            description: "Optimizer steps a running job has completed.");
        meter.CreateObservableGauge("cauchy.job.attempt", () => Current().Running.Select(j => new Measurement<int>(j.Attempt, j.Tags)),
            description: "The attempt a running job is in.");
    }

    public void Dispose() => meter.Dispose();

    private Snapshot Current()
    {
        lock (gate)
        {
            if (cached is null || time.GetElapsedTime(cachedAt) >= cacheFor)
            {
                try
                {
                    cached = Read();
                    cachedAt = time.GetTimestamp();
                }
                catch (Exception) when (cached is not null)
                {
                    // A scrape during a database hiccup shows the last known values rather than nothing.
                }
            }

            return cached;
        }
    }

    private Snapshot Read()
    {
        using var db = factory.CreateDbContext();
        var counts = db.Jobs.AsNoTracking().GroupBy(j => j.State).Select(g => new { State = g.Key, Count = g.LongCount() })
            .ToList().ToDictionary(c => (JobState)c.State, c => c.Count);
        var running = new[] { (int)JobState.Running, (int)JobState.Cancelling };
        var jobs = db.Jobs.AsNoTracking().Where(j => running.Contains(j.State))
            .Select(j => new { j.Id, j.Architecture, j.DatasetId, j.Attempt, j.Progress, j.LastMetrics })
            .ToList()
            .Select(j =>
            {
                var progress = j.Progress is null ? new JobProgress() : JobProgress.Parser.ParseFrom(j.Progress);
                var values = j.LastMetrics is null
                    ? new Dictionary<string, double>()
                    : MetricSeries.Parser.ParseFrom(j.LastMetrics).Points.ToDictionary(p => p.Name, p => p.Value);
                if (!values.ContainsKey("samples_per_second") && progress.SamplesPerSecond > 0)
                {
                    values["samples_per_second"] = progress.SamplesPerSecond;
                }

                KeyValuePair<string, object?>[] tags = [new("job_id", j.Id), new("model", j.Architecture), new("dataset", j.DatasetId)];
                return new RunningJob(tags, values, progress.Epoch, progress.Step, j.Attempt);
            })
            .ToList();
        return new Snapshot(counts, jobs);
    }

    private sealed record Snapshot(Dictionary<JobState, long> Counts, List<RunningJob> Running);

    private sealed record RunningJob(KeyValuePair<string, object?>[] Tags, Dictionary<string, double> Values, int Epoch, long Step, int Attempt);
}
