using System.Text.Json;
using Cauchy.Torch.Data;
using Cauchy.Torch.Models;
using Cauchy.Torch.Training;
using Cauchy.TrainingData;
using Xunit;

namespace Cauchy.Torch.Tests;

// The zoo's small CNN and ResNet-18 (small-image stem) trained through the Trainer on real Fashion-MNIST give
// PyTorch's losses for 100 SGD steps (reference/fashion_mnist_reference.py, run with Debian's python3-torch on the same
// libtorch): same seed before building (same initial weights), training images in file order without augmentation,
// the same normalisation, SGD(lr 0.05, momentum 0.9), one intra-op thread. ResNet-18 uses batch 8 (the small CNN 64)
// to keep the test near half a minute of CPU time (batch 16 took 70 s).
// The reference runs on the test machine, not from a recording: libtorch picks its kernels by CPU (AVX2 or AVX-512),
// and after a few dozen steps the loss curves of two CPUs differ by far more than the tolerance, for PyTorch itself.
public sealed class FashionMnistParityTests
{
    private static readonly Lazy<JsonElement> PyTorchRun = new(() =>
        JsonDocument.Parse(PythonScript.Run("fashion_mnist_reference.py", TimeSpan.FromMinutes(10))).RootElement);

    private static readonly Lazy<ImageSample[]> TrainingImages = new(() => FashionMnist.Load(train: true));

    [Theory]
    [InlineData("small_cnn")]
    [InlineData("resnet18")]
    public void HundredSteps_LossesMatchPyTorch(string architecture)
    {
        JsonElement reference = PyTorchRun.Value;
        JsonElement expected = reference.GetProperty("models").GetProperty(architecture);
        int batchSize = expected.GetProperty("batch_size").GetInt32();
        double[] expectedLosses = expected.GetProperty("losses").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        int steps = reference.GetProperty("steps").GetInt32();
        Assert.Equal(steps, expectedLosses.Length);

        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            torch.manual_seed(0);
            using var model = ModelZoo.Create(architecture, new ModelOptions
            {
                NumClasses = 10,
                InChannels = 1,
                SmallImageStem = architecture == "resnet18",
            });
            using var optimizer = optim.SGD(model.parameters(), lr: reference.GetProperty("lr").GetDouble(), momentum: reference.GetProperty("momentum").GetDouble());
            var loader = new DataLoader<ImageSample>(TrainingImages.Value.Take(steps * batchSize).ToArray(), s => s, new DataLoaderOptions
            {
                BatchSize = batchSize,
                Shuffle = false,
                Augmentation = new Augmentation { Mean = [FashionMnist.Mean], Std = [FashionMnist.Std] },
            });
            var trainer = new Trainer(model, optimizer, (logits, labels) => nn.functional.cross_entropy(logits, labels), options: new TrainerOptions { ProgressEvery = 1 });
            var losses = new List<double>();
            trainer.StepCompleted += progress => losses.Add(progress.Loss);

            EpochMetrics epoch = trainer.TrainEpoch(loader);

            Assert.True(epoch.Completed);
            Assert.Equal(steps, losses.Count);
            for (int i = 0; i < steps; i++)
            {
                double tolerance = 1e-4 * Math.Abs(expectedLosses[i]);
                Assert.True(Math.Abs(losses[i] - expectedLosses[i]) <= tolerance, $"{architecture} step {i + 1}: PyTorch {expectedLosses[i]:R}, ours {losses[i]:R}");
            }
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }
}
