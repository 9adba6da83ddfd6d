using System.Globalization;
using System.Threading.Channels;
using Cauchy.V1;

namespace Cauchy.Trainer.Execution;

/// <summary>
/// The job's asynchronous side while the training thread runs: stores each checkpoint and names it in the next
/// heartbeat, streams each evaluation to the metrics service, and at each epoch's end files its metrics under the
/// name of the split they were computed on, writes the epoch's log line and reports the epoch to the orchestrator.
/// </summary>
public sealed class TrainingEventConsumer(Metrics.MetricsClient metrics, CheckpointStore checkpoints, ILogger<TrainingEventConsumer> logger)
{
    /// <summary>
    /// Handles events until the writer completes; returns the metrics of the last epoch that ended (train, and
    /// validation where there is a validation split) and the last evaluation stored.
    /// </summary>
    public async Task<TrainingReport> ConsumeAsync(JobAttempt attempt, PreparedData data, ChannelReader<TrainingEvent> events, CancellationToken ct)
    {
        var last = new Dictionary<string, double>(StringComparer.Ordinal);
        EvaluationUpload? upload = null;
        SplitEvaluation? evaluation = null;
        try
        {
            await foreach (TrainingEvent e in events.ReadAllAsync(CancellationToken.None))
            {
                switch (e)
                {
                    case CheckpointWritten written:
                        await StoreAsync(attempt, written);
                        break;
                    case EvaluationStarted started:
                        upload?.Dispose();
                        upload = new EvaluationUpload(metrics, started.Header, logger, ct);
                        break;
                    case PredictionsComputed computed:
                        await Current(upload).AddAsync(computed.Batch);
                        break;
                    case EvaluationComputed done:
                        Evaluation stored = await Current(upload).FinishAsync();
                        evaluation = new SplitEvaluation(done.Split, done.Epoch, stored, data.Task.Metrics(stored, done.MeanLoss));
                        break;
                    case EpochEnded epoch:
                        last = EpochEnded(attempt, epoch, epoch.Evaluated ? evaluation : null);
                        break;
                }
            }
        }
        finally
        {
            upload?.Dispose();
        }

        return new TrainingReport(last, evaluation);
    }

    /// <summary>Stores the checkpoints among the events left when the rest of the job's work has stopped.</summary>
    public async Task StoreCheckpointsAsync(JobAttempt attempt, ChannelReader<TrainingEvent> events)
    {
        await foreach (TrainingEvent e in events.ReadAllAsync(CancellationToken.None))
        {
            if (e is CheckpointWritten written && !attempt.Keeper.LeaseLost)
            {
                await StoreAsync(attempt, written);
            }
        }
    }

    private async Task StoreAsync(JobAttempt attempt, CheckpointWritten written)
    {
        Checkpoint checkpoint = await checkpoints.StoreAsync(attempt.Job.Id, written);
        File.Delete(written.Path);
        attempt.Keeper.Checkpointed(checkpoint, flush: !written.EndOfEpoch);
    }

    private static Dictionary<string, double> EpochEnded(JobAttempt attempt, EpochEnded epoch, SplitEvaluation? evaluation)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["train/loss"] = epoch.TrainLoss,
            ["train/accuracy"] = epoch.TrainAccuracy,
        };
        attempt.Record("train/accuracy", epoch.TrainAccuracy, epoch.Step, epoch.Epoch);
        string line = string.Create(CultureInfo.InvariantCulture,
            $"epoch {epoch.Epoch}/{attempt.Plan.Epochs}: train loss {epoch.TrainLoss:F4} accuracy {epoch.TrainAccuracy:F4}");
        if (evaluation is not null)
        {
            foreach ((string name, double value) in evaluation.Metrics)
            {
                attempt.Record(name, value, epoch.Step, epoch.Epoch);
                if (evaluation.Split == Split.Validation)
                {
                    // Only the validation split's numbers go with the registration; a test split evaluated each epoch
                    // is evaluated once more, on the final weights, by the test step.
                    values[name] = value;
                }
            }

            if (evaluation.Split == Split.Validation && evaluation.Values.TryGetValue("accuracy", out double accuracy))
            {
                attempt.Running.ValidationAccuracy = accuracy;
            }

            line += string.Create(CultureInfo.InvariantCulture,
                $"; {evaluation.SplitName} {string.Join(" ", evaluation.Values.Where(v => v.Key is "loss" or "accuracy").Select(v => $"{v.Key} {v.Value:F4}"))} (evaluation {evaluation.Evaluation.Id})");
        }

        attempt.Log(line);
        if (epoch.GpuMemoryBytes is { } used)
        {
            attempt.Running.GpuMemoryBytes = used;
            attempt.Record("gpu_memory_bytes", used, epoch.Step, epoch.Epoch);
        }

        attempt.Keeper.EpochCompleted(epoch.Epoch);
        return values;
    }

    private static EvaluationUpload Current(EvaluationUpload? upload) =>
        upload ?? throw new InvalidOperationException("predictions arrived before their evaluation's header");
}
