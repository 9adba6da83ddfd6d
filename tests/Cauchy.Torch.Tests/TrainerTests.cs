using Cauchy.Torch.Data;
using Cauchy.Torch.Models;
using Cauchy.Torch.Optimization;
using Cauchy.Torch.Training;
using Xunit;

namespace Cauchy.Torch.Tests;

public sealed class TrainerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cauchy-trainer-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // 20 synthetic 28×28 images, batch 6: 4 batches per epoch, the last one short.
    private static readonly ImageSample[] Samples = Enumerable.Range(0, 20).Select(i => new ImageSample(
        Enumerable.Range(0, 28 * 28).Select(p => (byte)((p * (i + 3)) % 251)).ToArray(), 28, 28, 1, i % 10)).ToArray();

    private static DataLoader<ImageSample> Loader(bool shuffle = true) => new(Samples, s => s, new DataLoaderOptions
    {
        BatchSize = 6,
        Seed = 3,
        Shuffle = shuffle,
        Augmentation = shuffle ? new Augmentation { CropPadding = 2, HorizontalFlip = true, Mean = [0.5f], Std = [0.3f] } : new Augmentation { Mean = [0.5f], Std = [0.3f] },
    });

    private sealed record Run(List<StepProgress> Steps, List<EpochMetrics> Epochs, float[] Weights);

    // Two and a half epochs of the small CNN (dropout, BatchNorm), Nesterov SGD, a schedule stepped per step or per
    // epoch; a checkpoint every 3 steps and at each epoch's end. With resumeFrom, a fresh model/optimizer/scheduler
    // resumes from that checkpoint file instead of starting at step 0.
    private Run Train(ScheduleInterval interval, string? resumeFrom = null, Action<CheckpointSaved, Trainer>? onCheckpoint = null)
    {
        torch.manual_seed(0);
        using var model = ModelZoo.Create("small_cnn", new ModelOptions { NumClasses = 10, InChannels = 1 });
        using var optimizer = optim.SGD(model.parameters(), lr: 0.05, momentum: 0.9, weight_decay: 5e-4, nesterov: true);
        LRScheduler scheduler = interval == ScheduleInterval.Step
            ? optim.lr_scheduler.StepLR(optimizer, step_size: 2, gamma: 0.5)
            : optim.lr_scheduler.StepLR(optimizer, step_size: 1, gamma: 0.1);
        var criterion = new nn.CrossEntropyLoss(label_smoothing: 0.1);
        var trainer = new Trainer(model, optimizer, criterion.call, scheduler, new TrainerOptions
        {
            ScheduleInterval = interval,
            ProgressEvery = 1,
            CheckpointEvery = 3,
            CheckpointEachEpoch = true,
            CheckpointPath = Path.Combine(_directory, "latest.safetensors"),
        });
        var run = new Run([], [], []);
        trainer.StepCompleted += run.Steps.Add;
        if (onCheckpoint is not null)
        {
            trainer.CheckpointSaved += saved => onCheckpoint(saved, trainer);
        }

        if (resumeFrom is not null)
        {
            torch.manual_seed(1234);   // the checkpoint's generator state must win
            trainer.Resume(resumeFrom);
        }

        DataLoader<ImageSample> loader = Loader();
        while (trainer.Step < 10)
        {
            run.Epochs.Add(trainer.TrainEpoch(loader, maxSteps: (int)(10 - trainer.Step)));
        }

        using (torch.NewDisposeScope())
        {
            return run with { Weights = model.state_dict().Values.Where(t => t.dtype == ScalarType.Float32).SelectMany(t => t.ToArray<float>()).ToArray() };
        }
    }

    [Theory]
    [InlineData(ScheduleInterval.Step, 3)]     // mid-epoch
    [InlineData(ScheduleInterval.Step, 4)]     // end of epoch 0 (the epoch checkpoint)
    [InlineData(ScheduleInterval.Epoch, 6)]    // mid-epoch 1, after an epoch-end schedule step
    [InlineData(ScheduleInterval.Epoch, 9)]    // mid-epoch 2
    public void Resume_FromACheckpoint_ContinuesExactly(ScheduleInterval interval, int resumeStep)
    {
        string saved = Path.Combine(_directory, $"at-{resumeStep}.safetensors");
        Run straight = Train(interval, onCheckpoint: (checkpoint, _) =>
        {
            if (checkpoint.Step == resumeStep && !File.Exists(saved))
            {
                File.Copy(checkpoint.Path, saved);
            }
        });
        Assert.True(File.Exists(saved), $"no checkpoint was written at step {resumeStep}");

        Run resumed = Train(interval, resumeFrom: saved);

        Assert.Equal(10, straight.Steps.Count);
        Assert.Equal(straight.Steps.Skip(resumeStep).Select(p => (p.Step, p.Epoch, p.Batch, p.Loss, p.LearningRate)),
            resumed.Steps.Select(p => (p.Step, p.Epoch, p.Batch, p.Loss, p.LearningRate)));
        Assert.Equal(straight.Weights, resumed.Weights);
        // The epoch the resume landed in reports the whole epoch, batches before the checkpoint included.
        EpochMetrics last = straight.Epochs[^1], lastResumed = resumed.Epochs[^1];
        Assert.Equal((last.Epoch, last.Loss, last.Top1, last.Top5, last.Samples, last.Completed),
            (lastResumed.Epoch, lastResumed.Loss, lastResumed.Top1, lastResumed.Top5, lastResumed.Samples, lastResumed.Completed));
    }

    [Fact]
    public void Schedule_SteppedPerStepOrPerEpoch_ProgressReportsTheLearningRateEachStepUsed()
    {
        Run perStep = Train(ScheduleInterval.Step);
        Run perEpoch = Train(ScheduleInterval.Epoch);

        // StepLR(2, 0.5) per step: 0.05, 0.05, 0.025, 0.025, ...; StepLR(1, 0.1) per epoch of 4 batches: 0.05 × 4, 0.005 × 4, ...
        Assert.Equal(Enumerable.Range(0, 10).Select(i => 0.05 * Math.Pow(0.5, i / 2)), perStep.Steps.Select(p => p.LearningRate), new ToleranceComparer(1e-15));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => 0.05 * Math.Pow(0.1, i / 4)), perEpoch.Steps.Select(p => p.LearningRate), new ToleranceComparer(1e-15));
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1, 2, 2], perEpoch.Steps.Select(p => p.Epoch));
        Assert.Equal([0, 1, 2, 3, 0, 1, 2, 3, 0, 1], perEpoch.Steps.Select(p => p.Batch));
        Assert.All(perEpoch.Steps, p => Assert.True(p.SamplesPerSecond > 0 && double.IsFinite(p.Loss)));
        // Epochs 0 and 1 complete (20 samples each); the step limit cuts epoch 2 after two batches.
        Assert.Equal([(0, 20L, true), (1, 20L, true), (2, 12L, false)], perEpoch.Epochs.Select(e => (e.Epoch, e.Samples, e.Completed)));
        Assert.All(perEpoch.Epochs, e => Assert.InRange(e.DataWait, TimeSpan.Zero, e.Elapsed));
    }

    [Fact]
    public void Evaluate_CountsTopOneAndTopFiveLikeAManualCount_AndRestoresTrainingMode()
    {
        torch.manual_seed(0);
        using var model = ModelZoo.Create("small_cnn", new ModelOptions { NumClasses = 10, InChannels = 1 });
        using var optimizer = optim.SGD(model.parameters(), lr: 0.05);
        var trainer = new Trainer(model, optimizer, (x, y) => nn.functional.cross_entropy(x, y));
        trainer.TrainEpoch(Loader());  // move away from the initial weights, and leave running statistics behind

        EpochMetrics metrics = trainer.Evaluate(Loader(shuffle: false));

        Assert.True(model.training);
        long top1 = 0, top5 = 0;
        double lossSum = 0;
        model.eval();
        using (torch.no_grad())
        {
            foreach (Batch batch in Loader(shuffle: false).Epoch(0))
            {
                using (batch)
                using (torch.NewDisposeScope())
                {
                    Tensor logits = model.call(batch.images);
                    float[] scores = logits.ToArray<float>();
                    long[] labels = batch.labels.ToArray<long>();
                    for (int n = 0; n < labels.Length; n++)
                    {
                        float own = scores[(n * 10) + (int)labels[n]];
                        int higher = Enumerable.Range(0, 10).Count(c => scores[(n * 10) + c] > own);
                        top1 += higher == 0 ? 1 : 0;
                        top5 += higher < 5 ? 1 : 0;
                    }

                    lossSum += nn.functional.cross_entropy(logits, batch.labels, reduction: nn.Reduction.Sum).item<float>();
                }
            }
        }

        Assert.Equal(20, metrics.Samples);
        Assert.Equal(top1 / 20.0, metrics.Top1);
        Assert.Equal(top5 / 20.0, metrics.Top5);
        Assert.True(metrics.Top5 >= metrics.Top1);
        Assert.Equal(lossSum / 20, metrics.Loss, 1e-5);
    }

    [Fact]
    public void Options_CheckpointsWithoutAPath_AreRejected()
    {
        using var model = ModelZoo.Create("small_cnn", new ModelOptions { NumClasses = 10, InChannels = 1 });
        using var optimizer = optim.SGD(model.parameters(), lr: 0.05);
        var e = Assert.Throws<ArgumentException>(() => new Trainer(model, optimizer, (x, y) => nn.functional.cross_entropy(x, y), options: new TrainerOptions { CheckpointEvery = 10 }));
        Assert.Contains("CheckpointPath", e.Message);
    }

    [Fact]
    public void Resume_FromACheckpointWithoutTrainerState_NamesTheFile()
    {
        torch.manual_seed(0);
        using var model = ModelZoo.Create("small_cnn", new ModelOptions { NumClasses = 10, InChannels = 1 });
        using var optimizer = optim.SGD(model.parameters(), lr: 0.05);
        string path = Path.Combine(_directory, "bare.safetensors");
        using (torch.NewDisposeScope())
        using (TrainingCheckpoint checkpoint = TrainingCheckpoint.Capture(model.state_dict(), optimizer, null, loader: null))
        {
            checkpoint.Save(path);
        }

        var trainer = new Trainer(model, optimizer, (x, y) => nn.functional.cross_entropy(x, y));
        var e = Assert.Throws<InvalidDataException>(() => trainer.Resume(path));
        Assert.Contains(path, e.Message);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
