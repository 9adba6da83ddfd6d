using Cauchy.Torch;
using Cauchy.Torch.Data;
using Cauchy.Torch.Models;
using Cauchy.Torch.Training;
using Cauchy.TrainingData;

namespace Cauchy.Train.Bench;

/// <summary>
/// The quality check: the small CNN reaches ≥ 0.91 top-1 on the 10,000 Fashion-MNIST test images within 3
/// epochs on the CPU. SGD (lr 0.05, momentum 0.9, weight decay 5e-4), batch 64, cosine decay per step, the loader's
/// seeded shuffle; no augmentation by default (flips, <c>--flip 1</c>, slowed fitting too much for 3 epochs: 0.9025).
/// </summary>
internal static class AccuracyRun
{
    internal const double Target = 0.91;

    internal static bool Run(ImageSample[] train, int epochs, int batch, bool flip)
    {
        ImageSample[] test = FashionMnist.Load(train: false);
        torch.manual_seed(0);
        using var model = ModelZoo.Create("small_cnn", new ModelOptions { NumClasses = 10, InChannels = 1 });
        using var optimizer = optim.SGD(model.parameters(), lr: 0.05, momentum: 0.9, weight_decay: 5e-4);
        var augmentation = new Augmentation { HorizontalFlip = flip, Mean = [FashionMnist.Mean], Std = [FashionMnist.Std] };
        var loader = new DataLoader<ImageSample>(train, s => s, new DataLoaderOptions { BatchSize = batch, Seed = 1, Augmentation = augmentation });
        var testLoader = new DataLoader<ImageSample>(test, s => s, new DataLoaderOptions { BatchSize = 500, Shuffle = false, Augmentation = augmentation.WithoutRandomness() });
        var schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max: epochs * loader.BatchesPerEpoch!.Value);
        var trainer = new Trainer(model, optimizer, (x, y) => nn.functional.cross_entropy(x, y), schedule, new TrainerOptions { ScheduleInterval = ScheduleInterval.Step, ProgressEvery = 200 });
        trainer.StepCompleted += p => Console.WriteLine($"  step {p.Step}: loss {p.Loss:F4}, {p.SamplesPerSecond:F0} images/s, lr {p.LearningRate:F5}");
        Console.WriteLine($"accuracy: small_cnn, {epochs} epochs, batch {batch}, horizontal flips {(flip ? "on" : "off")}, SGD(0.05, momentum 0.9, weight decay 5e-4), cosine per step");
        EpochMetrics? evaluated = null;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            EpochMetrics trained = trainer.TrainEpoch(loader);
            evaluated = trainer.Evaluate(testLoader);
            Console.WriteLine($"accuracy: epoch {epoch + 1}: train loss {trained.Loss:F4} top-1 {trained.Top1:F4} ({trained.Elapsed.TotalSeconds:F0} s); test loss {evaluated.Loss:F4} top-1 {evaluated.Top1:F4} top-5 {evaluated.Top5:F4}");
        }

        bool passed = evaluated!.Top1 >= Target;
        Console.WriteLine($"train small_cnn_test_accuracy={evaluated.Top1:F4} epochs={epochs} target={Target} {(passed ? "PASS" : "FAIL")}");
        return passed;
    }
}
