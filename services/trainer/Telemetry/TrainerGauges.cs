using System.Diagnostics.Metrics;
using Cauchy.Trainer.Worker;

namespace Cauchy.Trainer.Telemetry;

/// <summary>
/// The trainer's Prometheus series (meter "Cauchy.Trainer"): the running job's latest values, labelled job_id, model
/// (architecture) and dataset, straight from the training loop (finer-grained than the orchestrator's view from
/// heartbeats), and whether the worker is busy.
/// </summary>
public sealed class TrainerGauges : IDisposable
{
    public const string MeterName = "Cauchy.Trainer";

    private readonly Meter meter = new(MeterName);

    public TrainerGauges(WorkerStatusBoard board)
    {
        meter.CreateObservableGauge("cauchy.trainer.busy", () => board.Current is null ? 0 : 1, description: "1 while the worker holds a job's lease.");
        meter.CreateObservableGauge("cauchy.trainer.draining", () => board.Draining ? 1 : 0, description: "1 once the worker was drained.");
        Series("cauchy.trainer.train_loss", "The running job's latest training loss.", board, j => j.TrainLoss);
        Series("cauchy.trainer.learning_rate", "The learning rate of the running job's latest step.", board, j => j.LearningRate);
        Series("cauchy.trainer.samples_per_second", "The running job's training throughput.", board, j => j.SamplesPerSecond);
        Series("cauchy.trainer.validation_accuracy", "The running job's top-1 accuracy at its latest evaluation.", board, j => j.ValidationAccuracy);
        Series("cauchy.trainer.gpu_memory_bytes", "GPU memory in use at the running job's latest epoch end.", board, j => j.GpuMemoryBytes);
        Series("cauchy.trainer.epoch", "The epoch the running job is in (1-based).", board, j => j.Progress.Epoch);
        Series("cauchy.trainer.step", "Optimizer steps the running job has completed.", board, j => j.Progress.Step);
    }

    public void Dispose() => meter.Dispose();

    private void Series(string name, string description, WorkerStatusBoard board, Func<RunningJob, double?> value) =>
        meter.CreateObservableGauge(name, () =>
        {
            RunningJob? job = board.Current;
            return job is not null && value(job) is double v
                ? [new Measurement<double>(v, new("job_id", job.JobId), new("model", job.Model), new("dataset", job.Dataset))]
                : Array.Empty<Measurement<double>>();
        }, description: description);
}
