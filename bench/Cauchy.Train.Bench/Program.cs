using System.Globalization;
using Cauchy.Torch;
using Cauchy.Torch.Data;
using Cauchy.Train.Bench;
using Cauchy.TrainingData;

// make bench-train: images/s of our engine and of PyTorch (same libtorch, batch, threads, data, work per step) for the
// small CNN and ResNet-18 (small-image stem) on Fashion-MNIST, in one run (PyTorch with glibc's malloc defaults and
// with our shim's malloc thresholds), then a resident-memory trace of the small CNN. make bench-train-accuracy (--accuracy): the small CNN's test accuracy after 3 epochs (fails below 0.91).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
BenchOptions options = BenchOptions.Parse(args);
torch.set_num_threads(options.Threads);
ImageSample[] train = FashionMnist.Load(train: true, options.Data);
Console.WriteLine($"train-bench: {Environment.ProcessorCount} cores, {options.Threads} libtorch thread(s), Fashion-MNIST {train.Length} training images from {options.Data}");
Device device = EngineRuns.Parse(options.Device);
if (device.type == DeviceType.CUDA)
{
    if (!torch.cuda.is_available())
    {
        Console.Error.WriteLine("train-bench: --device cuda, but the shim's libtorch sees no CUDA device (a CPU-only libtorch, or no driver); build the shim against a CUDA libtorch (scripts/device/gpu-bench.sh)");
        return 2;
    }

    (long free, long total) = torch.cuda.mem_get_info();
    Console.WriteLine($"train-bench: training on cuda:0, {torch.cuda.get_device_properties()}; {torch.cuda.device_count()} device(s); {free / (1024.0 * 1024 * 1024):F1} of {total / (1024.0 * 1024 * 1024):F1} GiB free");
}

if (options.CudaCheck)
{
    return Cauchy.Train.Bench.CudaCheck.Run(train) ? 0 : 1;
}

if (options.Accuracy)
{
    return AccuracyRun.Run(train, options.Epochs, options.AccuracyBatch, options.Flip != 0) ? 0 : 1;
}

Console.WriteLine($"train-bench: our shim {(torch.malloc_tuned ? "keeps freed memory (glibc mmap threshold 32 MiB, trim threshold 512 MiB)" : "runs with glibc's malloc defaults")};"
    + $" PyTorch runs with glibc's defaults{(options.SameMalloc ? " and, as a third side, with " + string.Join(' ', PyTorchRun.SameMalloc.Select(e => $"{e.Key}={e.Value}")) : string.Empty)}");

// Per model and side, every round's result. Rounds rotate which side runs first, so none always gets the machine
// after the same neighbour (page cache, CPU frequency, other tenants' bursts).
var sides = options.SameMalloc ? new[] { "ours", "pytorch", "pytorch_same_malloc" } : new[] { "ours", "pytorch" };
var ratios = new Dictionary<(string Model, string Side), (double Throughput, double Cpu)>();
// --rounds 0: only the memory trace.
var models = options.Rounds > 0 ? new[] { ("small_cnn", options.SmallCnnSteps, options.SmallCnnBatch), ("resnet18", options.ResNetSteps, options.ResNetBatch) } : [];
foreach ((string model, int steps, int batch) in models)
{
    var rounds = new List<Dictionary<string, RunResult>>();
    for (int round = 1; round <= options.Rounds; round++)
    {
        var results = new Dictionary<string, RunResult>();
        string details = string.Empty;
        for (int i = 0; i < sides.Length; i++)
        {
            string side = sides[(round - 1 + i) % sides.Length];
            if (side == "ours")
            {
                (RunResult ours, double waitShare, double allocated, int collections) = EngineRuns.Throughput(model, train, steps, batch, device);
                results[side] = ours;
                details = $"ours: {waitShare:P1} of the time waiting for data, {allocated / 1024:F0} KiB managed allocation per step, {collections} GCs";
            }
            else
            {
                results[side] = PyTorchRun.Throughput(model, steps, batch, sameMalloc: side == "pytorch_same_malloc", options);
            }
        }

        rounds.Add(results);
        RunResult o = results["ours"];
        Console.WriteLine($"{model} round {round} (first: {sides[(round - 1) % sides.Length]}): batch {batch}, {steps} timed steps: "
            + string.Join(", ", sides.Select(side => $"{side} {results[side].ImagesPerSecond:F1} images/s {results[side].CpuSecondsPerImage * 1000:F2} CPU-ms/image"))
            + $"; ratio {o.ImagesPerSecond / results["pytorch"].ImagesPerSecond:F3}"
            + (options.SameMalloc ? $", vs same malloc {o.ImagesPerSecond / results["pytorch_same_malloc"].ImagesPerSecond:F3}" : string.Empty)
            + $" ({details})");
    }

    foreach (string side in sides.Skip(1))
    {
        // Throughput ratio: ours ÷ theirs images/s. CPU ratio: their CPU time per image ÷ ours (also > 1 when ours is faster).
        ratios[(model, side)] = (
            Median(rounds.Select(r => r["ours"].ImagesPerSecond / r[side].ImagesPerSecond)),
            Median(rounds.Select(r => r[side].CpuSecondsPerImage / r["ours"].CpuSecondsPerImage)));
    }
}

if (options.RssSteps > 0 && device.type == DeviceType.CUDA)
{
    Console.WriteLine("train-bench: the resident-memory trace runs on the CPU only; skipped with --device cuda");
}
else if (options.RssSteps > 0)
{
    RssTrace.Run(train, options.RssSteps, options.RssEvery, options.RssBatch);
}

if (options.Rounds == 0)
{
    return 0;
}

int roundCount = options.Rounds;
Console.WriteLine($"train-cpu (median of {roundCount}, PyTorch's CPU time per image ÷ ours) small_cnn_ratio_vs_pytorch={ratios[("small_cnn", "pytorch")].Cpu:F3} resnet18_ratio_vs_pytorch={ratios[("resnet18", "pytorch")].Cpu:F3}");
if (options.SameMalloc)
{
    Console.WriteLine($"train-same-malloc (median of {roundCount}, PyTorch with our malloc thresholds) small_cnn_ratio_vs_pytorch={ratios[("small_cnn", "pytorch_same_malloc")].Throughput:F3} resnet18_ratio_vs_pytorch={ratios[("resnet18", "pytorch_same_malloc")].Throughput:F3}");
    Console.WriteLine($"train-same-malloc-cpu small_cnn_ratio_vs_pytorch={ratios[("small_cnn", "pytorch_same_malloc")].Cpu:F3} resnet18_ratio_vs_pytorch={ratios[("resnet18", "pytorch_same_malloc")].Cpu:F3}");
}

// The summary line: median images/s ratio against PyTorch as a plain python3 runs it.
// On a GPU the same line begins "train-cuda".
Console.WriteLine($"{(device.type == DeviceType.CUDA ? "train-cuda" : "train")} small_cnn_ratio_vs_pytorch={ratios[("small_cnn", "pytorch")].Throughput:F3} resnet18_ratio_vs_pytorch={ratios[("resnet18", "pytorch")].Throughput:F3}");
return 0;

static double Median(IEnumerable<double> values)
{
    double[] sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}
