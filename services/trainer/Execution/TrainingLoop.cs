using System.Globalization;
using System.Threading.Channels;
using Cauchy.Torch;
using Cauchy.Torch.Data;
using Cauchy.Torch.Models;
using Cauchy.Torch.Optimization;
using Cauchy.Torch.Training;
using Cauchy.Trainer.Worker;
using Cauchy.V1;
using Microsoft.Extensions.Options;
using Optimizer = Cauchy.Torch.Optimization.Optimizer;
using TorchTrainer = Cauchy.Torch.Training.Trainer;

namespace Cauchy.Trainer.Execution;

/// <summary>
/// The epoch loop, on the job's dedicated training thread (libtorch calls block): build the model (from the seed,
/// pretrained weights or the checkpoint to resume from), train epoch by epoch until the plan's last step, evaluate
/// each epoch, save the weights. Everything that needs the network (storing checkpoints, streaming evaluations,
/// heartbeats) is handed to the asynchronous side as <see cref="TrainingEvent"/>s.
/// </summary>
public sealed class TrainingLoop(IOptions<WorkerOptions> options, DeviceProbe device, WorkerStatusBoard board, Evaluator evaluator)
{
    private static readonly Device Cpu = new(DeviceType.CPU, -1);

    public TrainedModel Run(JobAttempt attempt, PreparedData data, ChannelWriter<TrainingEvent> events, CancellationToken ct)
    {
        WorkerOptions settings = options.Value;
        if (settings.Threads > 0)
        {
            torch.set_num_threads(settings.Threads);
        }

        JobSpec spec = attempt.Spec;
        Hyperparameters h = spec.Hyperparameters;
        TrainingPlan plan = data.Plan;
        torch.manual_seed(h.Seed);
        ModelOptions modelOptions = SpecTranslation.ModelOptions(spec.Model, data.ClassNames.Count, data.Format.Channels);
        nn.Module<Tensor, Tensor> model = ModelZoo.Create(spec.Model.Architecture, modelOptions);
        try
        {
            if (data.PretrainedPath is not null)
            {
                LoadPretrained(attempt, model, data.PretrainedPath);
            }

            model.to(device.Device);
            var loader = new DataLoader<Sample>(data.Train.Samples, sample => data.Task.ToBatchElement(sample, data.Format), new DataLoaderOptions
            {
                BatchSize = h.BatchSize,
                Seed = h.Seed,
                Shuffle = true,
                Workers = settings.LoaderWorkers,
                Augmentation = data.Augmentation,
            });
            using Optimizer optimizer = SpecTranslation.Optimizer(h.Optimizer, model.parameters());
            LRScheduler? schedule = SpecTranslation.Schedule(h.LrSchedule, optimizer, plan.StepsPerEpoch, h.Epochs, plan.TotalSteps);
            using nn.Module<Tensor, Tensor, Tensor> criterion = data.Task.CreateLoss(h);
            string checkpointPath = Path.Combine(attempt.WorkDir, "latest.safetensors");
            var trainer = new TorchTrainer(model, optimizer, criterion.call, schedule, new TrainerOptions
            {
                ScheduleInterval = ScheduleInterval.Step,
                ProgressEvery = settings.ProgressEverySteps,
                CheckpointEvery = (int)Math.Min(int.MaxValue, spec.CheckpointEverySteps),
                CheckpointEachEpoch = true,
                CheckpointPath = checkpointPath,
                Device = device.Device,
            });
            trainer.StepCompleted += p => OnStep(attempt, p);
            int checkpoints = 0;
            trainer.CheckpointSaved += saved => OnCheckpoint(attempt, saved, ++checkpoints, events);
            if (data.ResumePath is not null)
            {
                trainer.Resume(data.ResumePath);
                attempt.Log($"resumed at step {trainer.Step} (epoch {trainer.Position.Epoch + 1}, batch {trainer.Position.Batch})");
            }

            while (trainer.Position.Epoch < h.Epochs && trainer.Step < plan.TotalSteps)
            {
                int epoch = trainer.Position.Epoch + 1;
                attempt.Report(JobPhase.Training, epoch, trainer.Step);
                EpochMetrics result = trainer.TrainEpoch(loader, (int)Math.Min(int.MaxValue, plan.TotalSteps - trainer.Step), ct);
                bool last = trainer.Step >= plan.TotalSteps;
                if (!result.Completed)
                {
                    if (!last || ct.IsCancellationRequested)
                    {
                        if (!attempt.Keeper.Stopped.IsCancellationRequested)
                        {
                            // A drain or a shutdown: keep the work for whoever resumes the job.
                            attempt.ReleaseCheckpointWritten = true;
                            attempt.Report(JobPhase.Checkpointing, epoch, trainer.Step);
                            trainer.SaveCheckpoint();
                        }

                        ct.ThrowIfCancellationRequested();
                    }

                    // max_steps ended training inside the epoch: end it as an epoch's end would.
                    attempt.Report(JobPhase.Checkpointing, epoch, trainer.Step);
                    trainer.SaveCheckpoint();
                }

                // Without a validation split the test split is evaluated each epoch; the last epoch's evaluation is
                // the test step's, after registration, so the same weights are not evaluated twice.
                bool evaluate = data.Evaluation is not null && !(last && data.EpochsEvaluateTheTestSplit);
                if (evaluate)
                {
                    attempt.Report(JobPhase.Evaluating, epoch, trainer.Step);
                    evaluator.Evaluate(attempt, data, model, data.Evaluation!, epoch, null, events, ct);
                }

                long? gpuMemory = device.IsCuda ? device.Describe().MemoryUsedBytes : null;
                Evaluator.Post(events, new EpochEnded(epoch, trainer.Step, result.Loss, result.Top1, evaluate, gpuMemory));
            }

            attempt.Report(JobPhase.Registering, plan.Epochs, trainer.Step);
            string weights = Path.Combine(attempt.WorkDir, "model.safetensors");
            using (torch.NewDisposeScope())
            {
                safetensors.save_file(model.state_dict().Select(p => KeyValuePair.Create(p.Key, p.Value.to(Cpu))), weights, new Dictionary<string, string>
                {
                    ["architecture"] = spec.Model.Architecture,
                    ["job_id"] = attempt.Job.Id,
                    ["step"] = trainer.Step.ToString(CultureInfo.InvariantCulture),
                });
            }

            return new TrainedModel(model, weights, trainer.Step, plan.Epochs, new Dictionary<string, double>());
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private void OnStep(JobAttempt attempt, StepProgress p)
    {
        int epoch = p.Epoch + 1;
        attempt.Record("train/loss", p.Loss, p.Step, epoch);
        attempt.Record("learning_rate", p.LearningRate, p.Step, epoch);
        attempt.Record("samples_per_second", p.SamplesPerSecond, p.Step, epoch);
        RunningJob running = attempt.Running;
        running.TrainLoss = p.Loss;
        running.LearningRate = p.LearningRate;
        running.SamplesPerSecond = p.SamplesPerSecond;
        board.AddSamples((long)options.Value.ProgressEverySteps * attempt.Spec.Hyperparameters.BatchSize);
        attempt.Report(JobPhase.Training, epoch, p.Step, p.SamplesPerSecond);
    }

    /// <summary>
    /// The trainer rewrites one file; each checkpoint is moved to a name of its own until it is stored (numbered, not
    /// named by step: the step checkpoint and the epoch-end checkpoint can fall on the same step).
    /// </summary>
    private static void OnCheckpoint(JobAttempt attempt, CheckpointSaved saved, int number, ChannelWriter<TrainingEvent> events)
    {
        string path = Path.Combine(attempt.WorkDir, $"checkpoint-{number.ToString(CultureInfo.InvariantCulture)}.safetensors");
        File.Move(saved.Path, path, overwrite: true);
        Evaluator.Post(events, new CheckpointWritten(path, saved.Step, saved.Position, saved.EndOfEpoch));
    }

    /// <summary>Loads pretrained weights whose names and shapes match; others (e.g. a head for another class count) keep their fresh initialisation.</summary>
    private static void LoadPretrained(JobAttempt attempt, nn.Module<Tensor, Tensor> model, string path)
    {
        using var scope = torch.NewDisposeScope();
        Dictionary<string, Tensor> own = model.state_dict();
        Dictionary<string, Tensor> loaded = safetensors.load_file(path);
        var usable = loaded.Where(p => own.TryGetValue(p.Key, out Tensor? mine) && mine.shape.SequenceEqual(p.Value.shape))
            .ToDictionary(p => p.Key, p => p.Value);
        model.load_state_dict(usable, strict: false);
        var skipped = own.Keys.Where(k => !usable.ContainsKey(k)).ToList();
        attempt.Log($"pretrained weights: {usable.Count} tensors loaded, {skipped.Count} initialised afresh{(skipped.Count > 0 ? $" ({string.Join(", ", skipped.Take(5))}{(skipped.Count > 5 ? ", ..." : "")})" : "")}");
        foreach (Tensor t in loaded.Values)
        {
            t.Dispose();
        }
    }
}
