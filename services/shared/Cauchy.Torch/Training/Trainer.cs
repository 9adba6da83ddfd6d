using System.Diagnostics;
using System.Globalization;
using Cauchy.Torch.Data;
using Cauchy.Torch.Optimization;

namespace Cauchy.Torch.Training;

/// <summary>
/// Trains and evaluates a classifier over a <see cref="DataLoader{TSample}"/>: forward, loss, backward and optimizer
/// step per batch, each step's tensors in their own dispose scope (memory stays flat), top-1/top-5 accuracy, the
/// schedule stepped per step or per epoch, progress reports, and checkpoints every N steps and/or every epoch.
/// <see cref="Resume"/> loads a checkpoint, after which training continues exactly as if it had never stopped
/// (same batches, same weights, same losses, same epoch metrics).
/// </summary>
public sealed class Trainer
{
    private const string StepKey = "trainer.step";
    private const string LossSumKey = "trainer.epoch_loss_sum";
    private const string SamplesKey = "trainer.epoch_samples";
    private const string Top1Key = "trainer.epoch_top1";
    private const string Top5Key = "trainer.epoch_top5";

    private readonly Func<Tensor, Tensor, Tensor> loss;

    // The current epoch's running sums; part of a checkpoint, so a resumed epoch reports the whole epoch.
    private double epochLossSum;
    private long epochSamples;
    private long epochTop1;
    private long epochTop5;

    /// <param name="loss">(logits, labels) → mean loss, e.g. <c>new nn.CrossEntropyLoss().call</c>.</param>
    public Trainer(nn.Module<Tensor, Tensor> model, Optimizer optimizer, Func<Tensor, Tensor, Tensor> loss, LRScheduler? scheduler = null, TrainerOptions? options = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        this.loss = loss ?? throw new ArgumentNullException(nameof(loss));
        Scheduler = scheduler;
        Options = options ?? new TrainerOptions();
        Options.Validate();
    }

    /// <summary>Raised every <see cref="TrainerOptions.ProgressEvery"/> steps, on the training thread.</summary>
    public event Action<StepProgress>? StepCompleted;

    /// <summary>Raised after each checkpoint is written, on the training thread.</summary>
    public event Action<CheckpointSaved>? CheckpointSaved;

    public nn.Module<Tensor, Tensor> Model { get; }

    public Optimizer Optimizer { get; }

    public LRScheduler? Scheduler { get; }

    public TrainerOptions Options { get; }

    /// <summary>Optimizer steps taken in this run (restored by <see cref="Resume"/>).</summary>
    public long Step { get; private set; }

    /// <summary>The next batch to train on; <see cref="TrainEpoch{TSample}"/> continues from here.</summary>
    public LoaderPosition Position { get; private set; } = new(0, 0);

    /// <summary>
    /// Trains the rest of the current epoch (<see cref="Position"/>), or at most <paramref name="maxSteps"/> steps of
    /// it. At the epoch's end the per-epoch schedule steps, the position moves to the next epoch, and the epoch
    /// checkpoint is written.
    /// </summary>
    public EpochMetrics TrainEpoch<TSample>(DataLoader<TSample> loader, int? maxSteps = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loader);
        if (maxSteps is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, "maxSteps must not be negative");
        }

        int epoch = Position.Epoch;
        if (Position.Batch == 0)
        {
            (epochLossSum, epochSamples, epochTop1, epochTop5) = (0, 0, 0, 0);
        }

        Model.train();
        var clock = Stopwatch.StartNew();
        var sinceReport = Stopwatch.StartNew();
        long samplesSinceReport = 0;
        int steps = 0;
        bool completed = true;
        TimeSpan dataWait = TimeSpan.Zero, stepEnd = TimeSpan.Zero;
        foreach (Batch batch in loader.Epoch(epoch, Position.Batch))
        {
            dataWait += clock.Elapsed - stepEnd;
            using (batch)
            {
                if (steps == maxSteps || cancellationToken.IsCancellationRequested)
                {
                    completed = false;
                    break;
                }

                double lr = Optimizer.param_groups[0].lr;
                float stepLoss = TrainStep(batch, out long count);
                steps++;
                Step++;
                Position = batch.Next;
                samplesSinceReport += count;
                if (Options.ScheduleInterval == ScheduleInterval.Step)
                {
                    Scheduler?.step();
                }

                if (Step % Options.ProgressEvery == 0)
                {
                    double seconds = sinceReport.Elapsed.TotalSeconds;
                    StepCompleted?.Invoke(new StepProgress(Step, batch.Epoch, batch.Index, stepLoss, seconds > 0 ? samplesSinceReport / seconds : 0, lr));
                    samplesSinceReport = 0;
                    sinceReport.Restart();
                }

                if (Options.CheckpointEvery > 0 && Step % Options.CheckpointEvery == 0)
                {
                    SaveCheckpoint(endOfEpoch: false);
                }
            }

            stepEnd = clock.Elapsed;
        }

        var metrics = new EpochMetrics(
            epoch, Mean(epochLossSum, epochSamples), Mean(epochTop1, epochSamples), Mean(epochTop5, epochSamples), epochSamples, steps, clock.Elapsed, completed)
        {
            DataWait = dataWait,
        };
        if (completed)
        {
            if (Options.ScheduleInterval == ScheduleInterval.Epoch)
            {
                Scheduler?.step();
            }

            Position = new LoaderPosition(epoch + 1, 0);
            (epochLossSum, epochSamples, epochTop1, epochTop5) = (0, 0, 0, 0);
            if (Options.CheckpointEachEpoch)
            {
                SaveCheckpoint(endOfEpoch: true);
            }
        }

        return metrics;
    }

    /// <summary>
    /// Evaluates on every batch of <paramref name="loader"/>'s epoch <paramref name="epoch"/> (give evaluation loaders
    /// <c>Shuffle = false</c> and no random augmentation) in eval mode without gradients; the model's mode is restored.
    /// </summary>
    public EpochMetrics Evaluate<TSample>(DataLoader<TSample> loader, int epoch = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loader);
        bool wasTraining = Model.training;
        Model.eval();
        var clock = Stopwatch.StartNew();
        double lossSum = 0;
        long samples = 0, top1 = 0, top5 = 0;
        int steps = 0;
        try
        {
            using GradModeScope noGrad = torch.no_grad();
            foreach (Batch batch in loader.Epoch(epoch))
            {
                using (batch)
                using (torch.NewDisposeScope())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    (Tensor images, Tensor labels) = OnDevice(batch);
                    Tensor logits = Model.call(images);
                    float batchLoss = loss(logits, labels).item<float>();
                    (long count, long hits1, long hits5) = CountCorrect(logits, labels);
                    lossSum += batchLoss * (double)count;
                    (samples, top1, top5) = (samples + count, top1 + hits1, top5 + hits5);
                    steps++;
                }
            }
        }
        finally
        {
            if (wasTraining)
            {
                Model.train();
            }
        }

        return new EpochMetrics(epoch, Mean(lossSum, samples), Mean(top1, samples), Mean(top5, samples), samples, steps, clock.Elapsed, Completed: true);
    }

    /// <summary>
    /// Continues a run from <paramref name="path"/>: build the model, optimizer and scheduler as for a fresh run, then
    /// call this. Weights, optimizer and scheduler state, generators, the loader position, the step count and the
    /// current epoch's running metrics are restored.
    /// </summary>
    public void Resume(string path)
    {
        using TrainingCheckpoint checkpoint = TrainingCheckpoint.Load(path);
        if (checkpoint.Loader is null || !checkpoint.Metadata.ContainsKey(StepKey))
        {
            throw new InvalidDataException($"{path}: not a trainer checkpoint (no loader position or '{StepKey}')");
        }

        Model.load_state_dict(checkpoint.Model);
        checkpoint.Restore(Optimizer, Scheduler);
        Position = checkpoint.Loader;
        Step = long.Parse(checkpoint.Metadata[StepKey], CultureInfo.InvariantCulture);
        epochLossSum = double.Parse(checkpoint.Metadata[LossSumKey], CultureInfo.InvariantCulture);
        epochSamples = long.Parse(checkpoint.Metadata[SamplesKey], CultureInfo.InvariantCulture);
        epochTop1 = long.Parse(checkpoint.Metadata[Top1Key], CultureInfo.InvariantCulture);
        epochTop5 = long.Parse(checkpoint.Metadata[Top5Key], CultureInfo.InvariantCulture);
    }

    /// <summary>Writes a checkpoint of the current state to <see cref="TrainerOptions.CheckpointPath"/> now.</summary>
    public void SaveCheckpoint() => SaveCheckpoint(endOfEpoch: Position.Batch == 0);

    private float TrainStep(Batch batch, out long count)
    {
        using var scope = torch.NewDisposeScope();
        (Tensor images, Tensor labels) = OnDevice(batch);
        Tensor logits = Model.call(images);
        Tensor stepLoss = loss(logits, labels);
        Optimizer.zero_grad();
        stepLoss.backward();
        Optimizer.step();
        float value = stepLoss.item<float>();
        (count, long hits1, long hits5) = CountCorrect(logits, labels);
        epochLossSum += value * (double)count;
        (epochSamples, epochTop1, epochTop5) = (epochSamples + count, epochTop1 + hits1, epochTop5 + hits5);
        return value;
    }

    private (Tensor Images, Tensor Labels) OnDevice(Batch batch) =>
        Options.Device is { type: not DeviceType.CPU } device ? (batch.images.to(device), batch.labels.to(device)) : (batch.images, batch.labels);

    // The batch size and its top-1 and top-5 hits (top-k with k = min(5, classes)) in one native call: topk, one
    // comparison and two sums in libtorch without autograd, instead of eight P/Invokes and their handles every step.
    private static (long Count, long Top1, long Top5) CountCorrect(Tensor logits, Tensor labels)
    {
        NativeMethods.Check(NativeMethods.cauchy_tensor_classification_hits(logits.Handle, labels.Handle, 5, out long count, out long top1, out long top5));
        return (count, top1, top5);
    }

    private static double Mean(double sum, long count) => count > 0 ? sum / count : double.NaN;

    private void SaveCheckpoint(bool endOfEpoch)
    {
        string path = Options.CheckpointPath ?? throw new InvalidOperationException("TrainerOptions.CheckpointPath is not set");
        using (torch.NewDisposeScope())
        using (TrainingCheckpoint checkpoint = TrainingCheckpoint.Capture(Model.state_dict(), Optimizer, Scheduler, Position))
        {
            checkpoint.Metadata[StepKey] = Step.ToString(CultureInfo.InvariantCulture);
            checkpoint.Metadata[LossSumKey] = epochLossSum.ToString("R", CultureInfo.InvariantCulture);
            checkpoint.Metadata[SamplesKey] = epochSamples.ToString(CultureInfo.InvariantCulture);
            checkpoint.Metadata[Top1Key] = epochTop1.ToString(CultureInfo.InvariantCulture);
            checkpoint.Metadata[Top5Key] = epochTop5.ToString(CultureInfo.InvariantCulture);
            string partial = path + ".partial";
            checkpoint.Save(partial);
            File.Move(partial, path, overwrite: true);
        }

        CheckpointSaved?.Invoke(new CheckpointSaved(path, Step, Position, endOfEpoch));
    }
}
