using Cauchy.Trainer.Worker;
using Prometheus;

namespace Cauchy.Trainer.Telemetry;

/// <summary>
/// The trainer's Prometheus series, set from the <see cref="WorkerStatusBoard"/> just before each collection of the
/// host's registry: the running job's latest values, labelled job_id, model (architecture) and dataset, straight from
/// the training loop (finer-grained than the orchestrator's view from heartbeats), and whether the worker is busy.
/// </summary>
public sealed class TrainerGauges
{
    /// <summary>Alphabetical, as Prometheus orders labels in query results, so a /metrics line and a PromQL answer read alike.</summary>
    private static readonly string[] JobLabels = ["dataset", "job_id", "model"];

    private readonly WorkerStatusBoard _board;
    private readonly Gauge _busy;
    private readonly Gauge _draining;
    private readonly List<(Gauge Gauge, Func<RunningJob, double?> Value)> _series = [];
    private readonly Lock _gate = new();

    public TrainerGauges(WorkerStatusBoard board, CollectorRegistry registry, IMetricFactory metrics)
    {
        this._board = board;
        _busy = metrics.CreateGauge("cauchy_trainer_busy", "1 while the worker holds a job's lease.");
        _draining = metrics.CreateGauge("cauchy_trainer_draining", "1 once the worker was drained.");
        Series(metrics, "cauchy_trainer_train_loss", "The running job's latest training loss.", static j => j.TrainLoss);
        Series(metrics, "cauchy_trainer_learning_rate", "The learning rate of the running job's latest step.", static j => j.LearningRate);
        Series(metrics, "cauchy_trainer_samples_per_second", "The running job's training throughput.", static j => j.SamplesPerSecond);
        Series(metrics, "cauchy_trainer_validation_accuracy", "The running job's top-1 accuracy at its latest evaluation.", static j => j.ValidationAccuracy);
        Series(metrics, "cauchy_trainer_gpu_memory_bytes", "GPU memory in use at the running job's latest epoch end.", static j => j.GpuMemoryBytes);
        Series(metrics, "cauchy_trainer_epoch", "The epoch the running job is in (1-based).", static j => j.Progress.Epoch);
        Series(metrics, "cauchy_trainer_step", "Optimizer steps the running job has completed.", static j => j.Progress.Step);
        registry.AddBeforeCollectCallback(Refresh);
    }

    private void Series(IMetricFactory metrics, string name, string help, Func<RunningJob, double?> value) =>
        _series.Add((metrics.CreateGauge(name, help, JobLabels), value));

    /// <summary>
    /// Under one lock: concurrent scrapes run this concurrently, and one must not remove a series the other just set.
    /// A finished job's series are removed, so they end rather than repeat the job's last value.
    /// </summary>
    private void Refresh()
    {
        lock (_gate)
        {
            var job = _board.Current;
            _busy.Set(job is null ? 0 : 1);
            _draining.Set(_board.Draining ? 1 : 0);
            string[] labels = job is null ? [] : [job.Dataset, job.JobId, job.Model];
            foreach (var (gauge, value) in _series)
            {
                var current = job is null ? null : value(job);
                foreach (var published in gauge.GetAllLabelValues().ToList())
                {
                    if (current is null || !published.SequenceEqual(labels))
                    {
                        gauge.RemoveLabelled(published);
                    }
                }

                if (current is double v)
                {
                    gauge.WithLabels(labels).Set(v);
                }
            }
        }
    }
}
