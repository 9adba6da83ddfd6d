using Cauchy.Torch.Data;
using Cauchy.Torch.Training;

namespace Cauchy.Train.Bench;

/// <summary>
/// Resident memory of a long small-CNN run, sampled every N steps: after warm-up (allocator pools, JIT, the loader's
/// prefetch) it must stay flat, since every step's tensors die with its dispose scope.
/// </summary>
internal static class RssTrace
{
    internal static void Run(ImageSample[] train, int steps, int every, int batch)
    {
        Trainer trainer = EngineRuns.NewTrainer("small_cnn", EngineRuns.Cpu, out var model);
        using (model)
        using (trainer.Optimizer)
        {
            DataLoader<ImageSample> loader = EngineRuns.TrainLoader(train, batch);
            var samples = new List<(long Step, double Rss)>();
            while (trainer.Step < steps)
            {
                EngineRuns.Train(trainer, loader, (int)Math.Min(every, steps - trainer.Step));
                (double rss, _) = EngineRuns.ResidentMemory();
                samples.Add((trainer.Step, rss));
            }

            (_, double peak) = EngineRuns.ResidentMemory();
            Console.WriteLine($"rss: small_cnn batch {batch}, {steps} steps, MiB every {every} steps: "
                + string.Join(' ', samples.Select(s => $"{s.Step}:{s.Rss:F0}")));
            // Warm-up: the first fifth of the run (at least the first sample).
            int warm = Math.Max(1, samples.Count / 5);
            double afterWarmup = samples[warm - 1].Rss;
            double maxLater = samples.Skip(warm).Select(s => s.Rss).DefaultIfEmpty(afterWarmup).Max();
            Console.WriteLine($"rss: after warm-up (step {samples[warm - 1].Step}) {afterWarmup:F0} MiB, max later {maxLater:F0} MiB (growth {maxLater - afterWarmup:+0;-0} MiB), peak (VmHWM) {peak:F0} MiB");
        }
    }
}
