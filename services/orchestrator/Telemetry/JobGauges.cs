using Cauchy.Orchestrator.Data;
using Cauchy.Orchestrator.Jobs;
using Cauchy.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Cauchy.Orchestrator.Telemetry;

/// <summary>
/// The orchestrator's Prometheus series, read from the database just before each collection of the host's registry and
/// cached for Jobs:GaugeCacheSeconds: queue depth, jobs by state, and each running job's latest training values
/// labelled job_id, model (architecture) and dataset. See services/orchestrator/README.md for the exported names.
/// </summary>
public sealed class JobGauges
{
    /// <summary>Heartbeat metric names (cauchy.v1.MetricValue.name) exported as per-job gauges, and their series names.</summary>
    public static readonly IReadOnlyDictionary<string, string> TrainingSeries = new Dictionary<string, string>
    {
        ["train/loss"] = "cauchy_job_train_loss",
        ["train/accuracy"] = "cauchy_job_train_accuracy",
        ["validation/loss"] = "cauchy_job_validation_loss",
        ["validation/accuracy"] = "cauchy_job_validation_accuracy",
        ["validation/top5_accuracy"] = "cauchy_job_validation_top5_accuracy",
        ["validation/map"] = "cauchy_job_validation_map",
        ["validation/mean_iou"] = "cauchy_job_validation_mean_iou",
        // A job trained without a validation split evaluates the test split each epoch and files it under its name.
        ["test/loss"] = "cauchy_job_test_loss",
        ["test/accuracy"] = "cauchy_job_test_accuracy",
        ["test/top5_accuracy"] = "cauchy_job_test_top5_accuracy",
        ["learning_rate"] = "cauchy_job_learning_rate",
        ["samples_per_second"] = "cauchy_job_samples_per_second",
        ["gpu_memory_bytes"] = "cauchy_job_gpu_memory_bytes",
    };

    private static readonly JobState[] States =
        [JobState.Queued, JobState.Running, JobState.Cancelling, JobState.Succeeded, JobState.Failed, JobState.Cancelled];

    private readonly IDbContextFactory<OrchestratorDbContext> _factory;
    private readonly TimeProvider _time;
    private readonly TimeSpan _cacheFor;
    private readonly ILogger<JobGauges> _logger;
    private readonly Gauge _queued;
    private readonly Gauge _byState;
    private readonly Dictionary<string, Gauge> _training;
    private readonly Gauge _epoch;
    private readonly Gauge _step;
    private readonly Gauge _attempt;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Snapshot? _published;
    private long _readAt;

    public JobGauges(
        IDbContextFactory<OrchestratorDbContext> factory,
        IOptions<JobsOptions> options,
        TimeProvider time,
        CollectorRegistry registry,
        IMetricFactory metrics,
        ILogger<JobGauges> logger)
    {
        this._factory = factory;
        this._time = time;
        this._logger = logger;
        _cacheFor = TimeSpan.FromSeconds(options.Value.GaugeCacheSeconds);
        _queued = metrics.CreateGauge("cauchy_jobs_queued", "Jobs waiting for a worker (queue depth).");
        _byState = metrics.CreateGauge("cauchy_jobs", "Jobs by state.", ["state"]);
        _training = TrainingSeries.ToDictionary(
            static s => s.Key,
            s => metrics.CreateGauge(s.Value, $"The latest '{s.Key}' a running job reported.", JobLabels.Names));
        _epoch = metrics.CreateGauge("cauchy_job_epoch", "The epoch a running job is in (1-based).", JobLabels.Names);
        _step = metrics.CreateGauge("cauchy_job_step", "Optimizer steps a running job has completed.", JobLabels.Names);
        _attempt = metrics.CreateGauge("cauchy_job_attempt", "The attempt a running job is in.", JobLabels.Names);
        registry.AddBeforeCollectCallback(RefreshAsync);
    }

    /// <summary>
    /// Reads the database unless the last read is younger than Jobs:GaugeCacheSeconds, and publishes what it read. An
    /// asynchronous callback, as prometheus-net asks of callbacks that do I/O; one at a time, because overlapping scrapes
    /// run it concurrently and a read must not interleave with another's publish.
    /// </summary>
    private async Task RefreshAsync(CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel);
        try
        {
            if (_published is not null && _time.GetElapsedTime(_readAt) < _cacheFor)
            {
                return;
            }

            var snapshot = await ReadAsync(cancel);
            _readAt = _time.GetTimestamp();
            Publish(snapshot);
            _published = snapshot;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // The scraper went away.
        }
        catch (Exception exception)
        {
            // The scrape still serves everything else, and these gauges keep the last values they had: a database
            // hiccup shows the last known truth rather than nothing.
            _logger.LogWarning(exception, "The job gauges could not read the database; they keep their last values");
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Publish(Snapshot snapshot)
    {
        _queued.Set(snapshot.Counts.GetValueOrDefault(JobState.Queued));
        foreach (var state in States)
        {
            _byState.WithLabels(JobStateMachine.Name(state).ToLowerInvariant()).Set(snapshot.Counts.GetValueOrDefault(state));
        }

        foreach (var (metricName, gauge) in _training)
        {
            Publish(gauge, snapshot.Running.Where(j => j.Values.ContainsKey(metricName)).ToDictionary(static j => j.Labels, j => j.Values[metricName]));
        }

        Publish(_epoch, snapshot.Running.ToDictionary(static j => j.Labels, static j => (double)j.Epoch));
        Publish(_step, snapshot.Running.ToDictionary(static j => j.Labels, static j => (double)j.Step));
        Publish(_attempt, snapshot.Running.ToDictionary(static j => j.Labels, static j => (double)j.Attempt));
    }

    /// <summary>Sets the running jobs' series and removes those of jobs that stopped running, so their series end.</summary>
    private static void Publish(Gauge gauge, Dictionary<JobLabels, double> values)
    {
        foreach (var labels in gauge.GetAllLabelValues().ToList())
        {
            if (!values.ContainsKey(JobLabels.FromValues(labels)))
            {
                gauge.RemoveLabelled(labels);
            }
        }

        foreach (var (labels, value) in values)
        {
            gauge.WithLabels(labels.Values()).Set(value);
        }
    }

    private async Task<Snapshot> ReadAsync(CancellationToken cancel)
    {
        await using var db = await _factory.CreateDbContextAsync(cancel);
        var counts = (await db.Jobs.AsNoTracking().GroupBy(j => j.State).Select(g => new { State = g.Key, Count = g.LongCount() })
            .ToListAsync(cancel)).ToDictionary(c => (JobState)c.State, c => c.Count);
        var running = new[] { (int)JobState.Running, (int)JobState.Cancelling };
        var jobs = (await db.Jobs.AsNoTracking().Where(j => running.Contains(j.State))
            .Select(j => new { j.Id, j.Architecture, j.DatasetId, j.Attempt, j.Progress, j.LastMetrics })
            .ToListAsync(cancel))
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

                return new RunningJob(new JobLabels(j.DatasetId, j.Id, j.Architecture), values, progress.Epoch, progress.Step, j.Attempt);
            })
            .ToList();
        return new Snapshot(counts, jobs);
    }

    private sealed record Snapshot(Dictionary<JobState, long> Counts, List<RunningJob> Running);

    private sealed record RunningJob(JobLabels Labels, Dictionary<string, double> Values, int Epoch, long Step, int Attempt);
}
