using System.Diagnostics;
using Cauchy.Torch;
using Cauchy.Torch.Data;
using Cauchy.Torch.Models;
using Cauchy.Torch.Training;
using Cauchy.TrainingData;

namespace Cauchy.Train.Bench;

/// <summary>Our side: the zoo model trained through <see cref="Trainer"/> and the <see cref="DataLoader{TSample}"/>.</summary>
internal static class EngineRuns
{
    internal const int WarmupSteps = 5;

    private static readonly Augmentation Normalise = new() { Mean = [FashionMnist.Mean], Std = [FashionMnist.Std] };

    internal static readonly Device Cpu = new(DeviceType.CPU, -1);

    /// <summary>"cpu" or "cuda" (the first GPU), as the bench's --device names it.</summary>
    internal static Device Parse(string device) => device == "cuda" ? new Device(DeviceType.CUDA, 0) : Cpu;

    /// <summary>
    /// The model built on the CPU from seed 0 (so both sides start from the same weights), then moved to
    /// <paramref name="device"/>, where the trainer also moves each batch.
    /// </summary>
    internal static Trainer NewTrainer(string architecture, Device device, out nn.Module<Tensor, Tensor> model)
    {
        torch.manual_seed(0);
        model = ModelZoo.Create(architecture, new ModelOptions { NumClasses = 10, InChannels = 1, SmallImageStem = architecture == "resnet18" });
        model.to(device);
        var optimizer = optim.SGD(model.parameters(), lr: 0.05, momentum: 0.9);
        return new Trainer(model, optimizer, (logits, labels) => nn.functional.cross_entropy(logits, labels), options: new TrainerOptions { ProgressEvery = 50, Device = device });
    }

    internal static DataLoader<ImageSample> TrainLoader(ImageSample[] train, int batch) =>
        new(train, s => s, new DataLoaderOptions { BatchSize = batch, Seed = 1, DropLast = true, Workers = 1, Augmentation = Normalise });

    /// <summary>
    /// Images per second and CPU time per image over <paramref name="steps"/> timed steps after a short warm-up, with
    /// where the time went: the share spent waiting for the loader, managed bytes allocated per step (all threads,
    /// loader included) and garbage collections during the timed steps.
    /// </summary>
    internal static (RunResult Result, double DataWaitShare, double AllocatedPerStep, int Collections) Throughput(string architecture, ImageSample[] train, int steps, int batch, Device device)
    {
        Trainer trainer = NewTrainer(architecture, device, out var model);
        using (model)
        using (trainer.Optimizer)
        {
            DataLoader<ImageSample> loader = TrainLoader(train, batch);
            Train(trainer, loader, WarmupSteps);
            Synchronize(device);
            using var process = Process.GetCurrentProcess();
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            int collections = GC.CollectionCount(0);
            TimeSpan cpu = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            TimeSpan wait = Train(trainer, loader, steps);
            Synchronize(device);
            double seconds = clock.Elapsed.TotalSeconds;
            process.Refresh();
            double images = steps * (double)batch;
            var result = new RunResult(images / seconds, (process.TotalProcessorTime - cpu).TotalSeconds / images);
            return (result, wait.TotalSeconds / seconds, (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)steps, GC.CollectionCount(0) - collections);
        }
    }

    // Each step already waits for its loss to reach the host; this makes the timed region's edges exact as well.
    private static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA)
        {
            torch.cuda.synchronize();
        }
    }

    /// <summary>Trains <paramref name="steps"/> steps across epoch boundaries; returns the time spent waiting for data.</summary>
    internal static TimeSpan Train(Trainer trainer, DataLoader<ImageSample> loader, int steps)
    {
        long target = trainer.Step + steps;
        TimeSpan wait = TimeSpan.Zero;
        while (trainer.Step < target)
        {
            wait += trainer.TrainEpoch(loader, maxSteps: (int)(target - trainer.Step)).DataWait;
        }

        return wait;
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
