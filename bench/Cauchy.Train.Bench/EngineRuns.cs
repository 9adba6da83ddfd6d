using System.Diagnostics;
using Cauchy.Torch;
using Cauchy.Torch.Data;
using Cauchy.Torch.Models;
using Cauchy.Torch.Training;

namespace Cauchy.Train.Bench;

/// <summary>Our side: the zoo model trained through <see cref="Trainer"/> and the <see cref="DataLoader{TSample}"/>.</summary>
internal static class EngineRuns
{
    internal const int WarmupSteps = 5;

    private static readonly Augmentation Normalise = new() { Mean = [FashionMnist.Mean], Std = [FashionMnist.Std] };

    internal static Trainer NewTrainer(string architecture, out nn.Module<Tensor, Tensor> model)
    {
        torch.manual_seed(0);
        model = ModelZoo.Create(architecture, new ModelOptions { NumClasses = 10, InChannels = 1, SmallImageStem = architecture == "resnet18" });
        var optimizer = optim.SGD(model.parameters(), lr: 0.05, momentum: 0.9);
        return new Trainer(model, optimizer, (logits, labels) => nn.functional.cross_entropy(logits, labels), options: new TrainerOptions { ProgressEvery = 50 });
    }

    internal static DataLoader<ImageSample> TrainLoader(ImageSample[] train, int batch) =>
        new(train, s => s, new DataLoaderOptions { BatchSize = batch, Seed = 1, DropLast = true, Workers = 1, Augmentation = Normalise });

    /// <summary>Images per second over <paramref name="steps"/> timed steps after a short warm-up.</summary>
    internal static double Throughput(string architecture, ImageSample[] train, int steps, int batch)
    {
        Trainer trainer = NewTrainer(architecture, out var model);
        using (model)
        using (trainer.Optimizer)
        {
            DataLoader<ImageSample> loader = TrainLoader(train, batch);
            Train(trainer, loader, WarmupSteps);
            var clock = Stopwatch.StartNew();
            Train(trainer, loader, steps);
            return steps * (double)batch / clock.Elapsed.TotalSeconds;
        }
    }

    /// <summary>Trains <paramref name="steps"/> steps across epoch boundaries.</summary>
    internal static void Train(Trainer trainer, DataLoader<ImageSample> loader, int steps)
    {
        long target = trainer.Step + steps;
        while (trainer.Step < target)
        {
            trainer.TrainEpoch(loader, maxSteps: (int)(target - trainer.Step));
        }
    }

    /// <summary>VmRSS and VmHWM (peak) of this process in MiB, from /proc/self/status.</summary>
    internal static (double Rss, double Peak) ResidentMemory()
    {
        double rss = 0, peak = 0;
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kib(line) / 1024.0;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kib(line) / 1024.0;
            }
        }

        return (rss, peak);

        static long Kib(string line) => long.Parse(line.Split(':', 2)[1].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
