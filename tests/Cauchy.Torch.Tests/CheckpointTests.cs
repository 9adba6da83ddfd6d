using Cauchy.Torch.Data;
using Cauchy.Torch.Optimization;
using Xunit;

namespace Cauchy.Torch.Tests;

public sealed class CheckpointTests : IDisposable
{
    private const int StepsBefore = 6;
    private const int StepsAfter = 7;

    private readonly string _directory = Directory.CreateTempSubdirectory("cauchy-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // A tiny linear model trained with AdamW (two groups), a warm-up + cosine schedule, an augmenting shuffled loader
    // and random noise from libtorch's generator. Continuing after a checkpoint must equal loading the checkpoint into
    // fresh objects and continuing: every weight and loss bit for bit.
    [Fact]
    public void ResumedRun_ContinuesBitForBit()
    {
        string path = Path.Combine(_directory, "run.safetensors");
        float[] expectedWeights, expectedBias, expectedLosses;
        using (var run = new Run(torch.randn))
        {
            run.Train(StepsBefore);
            using (TrainingCheckpoint checkpoint = TrainingCheckpoint.Capture(run.StateDict, run.Optimizer, run.Scheduler, run.Position))
            {
                checkpoint.Metadata["job"] = "test";
                checkpoint.Save(path);
            }

            expectedLosses = run.Train(StepsAfter);
            expectedWeights = run.W.ToArray<float>();
            expectedBias = run.B.ToArray<float>();
        }

        torch.manual_seed(12345);   // whatever the generator did meanwhile must not matter
        using (var fresh = new Run(torch.zeros))
        using (TrainingCheckpoint loaded = TrainingCheckpoint.Load(path))
        {
            loaded.LoadModelInto(fresh.StateDict);
            loaded.Restore(fresh.Optimizer, fresh.Scheduler);
            fresh.Position = loaded.Loader!;
            Assert.Equal("test", loaded.Metadata["job"]);

            float[] losses = fresh.Train(StepsAfter);

            Assert.Equal(expectedLosses, losses);
            Assert.Equal(expectedWeights, fresh.W.ToArray<float>());
            Assert.Equal(expectedBias, fresh.B.ToArray<float>());
        }
    }

    [Fact]
    public void LoadModelInto_WithMissingOrUnexpectedKeys_NamesThem()
    {
        string path = Path.Combine(_directory, "model.safetensors");
        using Tensor w = torch.ones([2, 2]);
        using (TrainingCheckpoint checkpoint = TrainingCheckpoint.Capture([new("fc.weight", w)], null, null, null))
        {
            checkpoint.Save(path);
        }

        using TrainingCheckpoint loaded = TrainingCheckpoint.Load(path);
        using Tensor other = torch.zeros([2, 2]);
        using Tensor wrongShape = torch.zeros([3]);

        var error = Assert.Throws<ArgumentException>(() => loaded.LoadModelInto([new("fc.bias", other)]));
        Assert.Contains("missing keys [fc.bias]", error.Message);
        Assert.Contains("unexpected keys [fc.weight]", error.Message);
        Assert.Contains("'fc.weight'", Assert.Throws<ArgumentException>(() => loaded.LoadModelInto([new("fc.weight", wrongShape)])).Message);
    }

    [Fact]
    public void Load_OfAPlainWeightsFile_SaysItIsNoCheckpoint()
    {
        string path = Path.Combine(_directory, "weights.safetensors");
        using Tensor w = torch.ones([2]);
        safetensors.save_file([new("w", w)], path);

        var error = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(path));
        Assert.Contains("not a Cauchy training checkpoint", error.Message);
    }

    private sealed class Run : IDisposable
    {
        private readonly DataLoader<ImageSample> _loader;

        public Run(Func<long[], ScalarType, Tensor> init)
        {
            torch.manual_seed(1);
            W = init([4, 3], ScalarType.Float32);
            B = init([3], ScalarType.Float32);
            W.requires_grad = true;
            B.requires_grad = true;
            Optimizer = optim.AdamW([new ParamGroup([W]), new ParamGroup([B]) { ["weight_decay"] = 0 }], lr: 0.05);
            Scheduler = optim.lr_scheduler.SequentialLR(
                Optimizer,
                [optim.lr_scheduler.LinearLR(Optimizer, start_factor: 0.1, total_iters: 3), optim.lr_scheduler.CosineAnnealingLR(Optimizer, T_max: 10)],
                milestones: [3]);
            ImageSample[] samples = Enumerable.Range(0, 20)
                .Select(i => new ImageSample([(byte)(i * 11), (byte)(i * 5), (byte)(200 - i), (byte)(i * i)], 2, 2, 1, i % 3)).ToArray();
            _loader = new DataLoader<ImageSample>(samples, s => s, new DataLoaderOptions
            {
                BatchSize = 6,
                Seed = 42,
                Augmentation = new Augmentation { CropPadding = 1, HorizontalFlip = true, Mean = [0.5f], Std = [0.3f] },
            });
        }

        public Tensor W { get; }

        public Tensor B { get; }

        public Optimizer Optimizer { get; }

        public LRScheduler Scheduler { get; }

        public LoaderPosition Position { get; set; } = new(0, 0);

        public KeyValuePair<string, Tensor>[] StateDict => [new("fc.weight", W), new("fc.bias", B)];

        public float[] Train(int steps)
        {
            var losses = new List<float>();
            foreach (Batch batch in _loader.From(Position))
            {
                using (batch)
                using (var scope = torch.NewDisposeScope())
                {
                    long n = batch.images.shape[0];
                    Tensor x = batch.images.reshape(n, 4);
                    Tensor noise = torch.randn([n, 3]) * 0.1;
                    Tensor target = batch.labels.to(ScalarType.Float32).reshape(n, 1) + noise;
                    Tensor error = x.matmul(W) + B - target;
                    Tensor loss = (error * error).mean();
                    Optimizer.zero_grad();
                    loss.backward();
                    Optimizer.step();
                    Scheduler.step();
                    losses.Add(loss.item<float>());
                    Position = batch.Next;
                }

                if (losses.Count == steps)
                {
                    break;
                }
            }

            return losses.ToArray();
        }

        public void Dispose()
        {
            Optimizer.Dispose();
            W.Dispose();
            B.Dispose();
        }
    }
}
