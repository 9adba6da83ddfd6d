using System.Globalization;
using Cauchy.Torch;
using Cauchy.Torch.Data;
using Cauchy.Train.Bench;

// make bench-train: images/s of our engine and of PyTorch (same libtorch, batch, threads, data, work per step) for the
// small CNN and ResNet-18 (small-image stem) on Fashion-MNIST, in one run, then a resident-memory trace of the small
// CNN. make bench-train-accuracy (--accuracy): the small CNN's test accuracy after 3 epochs (fails below 0.91).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
BenchOptions options = BenchOptions.Parse(args);
torch.set_num_threads(options.Threads);
ImageSample[] train = FashionMnist.Load(train: true);
Console.WriteLine($"train-bench: {Environment.ProcessorCount} cores, {options.Threads} libtorch thread(s), Fashion-MNIST {train.Length} training images");

if (options.Accuracy)
{
    return AccuracyRun.Run(train, options.Epochs, options.AccuracyBatch, options.Flip != 0) ? 0 : 1;
}

var ratios = new Dictionary<string, double>();
foreach ((string model, int steps, int batch) in new[] { ("small_cnn", options.SmallCnnSteps, options.SmallCnnBatch), ("resnet18", options.ResNetSteps, options.ResNetBatch) })
{
    var roundRatios = new List<double>();
    for (int round = 1; round <= Math.Max(1, options.Rounds); round++)
    {
        (double ours, double waitShare, double allocated) = EngineRuns.Throughput(model, train, steps, batch);
        double theirs = PyTorchRun.Throughput(model, steps, batch, options.Threads);
        roundRatios.Add(ours / theirs);
        Console.WriteLine($"{model} round {round}: batch {batch}, {steps} timed steps: ours {ours:F1} images/s, PyTorch {theirs:F1} images/s, ratio {ours / theirs:F3}"
            + $" (ours: {waitShare:P1} of the time waiting for data, {allocated / 1024:F0} KiB managed allocation per step)");
    }

    roundRatios.Sort();
    ratios[model] = roundRatios[roundRatios.Count / 2];
}

if (options.RssSteps > 0)
{
    RssTrace.Run(train, options.RssSteps, options.RssEvery, options.RssBatch);
}

Console.WriteLine($"train small_cnn_ratio_vs_pytorch={ratios["small_cnn"]:F3} resnet18_ratio_vs_pytorch={ratios["resnet18"]:F3}");
return 0;
