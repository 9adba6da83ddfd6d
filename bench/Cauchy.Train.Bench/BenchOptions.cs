using System.Globalization;

namespace Cauchy.Train.Bench;

/// <summary>Command-line options; every figure in docs/benchmarks.md names the options it ran with.</summary>
internal sealed record BenchOptions
{
    public int SmallCnnSteps { get; init; } = 200;

    public int SmallCnnBatch { get; init; } = 128;

    public int ResNetSteps { get; init; } = 20;

    public int ResNetBatch { get; init; } = 32;

    /// <summary>libtorch intra-op threads, ours and PyTorch's alike.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Small-CNN steps for the resident-memory trace; 0 skips it.</summary>
    public int RssSteps { get; init; } = 1000;

    public int RssEvery { get; init; } = 250;

    /// <summary>Run only the 3-epoch accuracy check (small CNN, full test set, fails below 0.91).</summary>
    public bool Accuracy { get; init; }

    public int Epochs { get; init; } = 3;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name == "--accuracy")
            {
                options = options with { Accuracy = true };
                continue;
            }

            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int value))
            {
                throw new ArgumentException($"{name} needs a non-negative whole number");
            }

            i++;
            options = name switch
            {
                "--small-steps" => options with { SmallCnnSteps = value },
                "--small-batch" => options with { SmallCnnBatch = value },
                "--resnet-steps" => options with { ResNetSteps = value },
                "--resnet-batch" => options with { ResNetBatch = value },
                "--threads" => options with { Threads = value },
                "--rss-steps" => options with { RssSteps = value },
                "--rss-every" => options with { RssEvery = value },
                "--epochs" => options with { Epochs = value },
                _ => throw new ArgumentException($"unknown option {name}; see docs/benchmarks.md"),
            };
        }

        return options;
    }
}
