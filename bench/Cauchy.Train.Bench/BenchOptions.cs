using System.Globalization;

namespace Cauchy.Train.Bench;

/// <summary>Command-line options; every figure in docs/benchmarks.md names the options it ran with.</summary>
internal sealed record BenchOptions
{
    public int SmallCnnSteps { get; init; } = 100;

    public int SmallCnnBatch { get; init; } = 128;

    public int ResNetSteps { get; init; } = 10;

    /// <summary>
    /// Rounds per model (each runs every side once, the first side rotating); the median ratio is reported. 0 runs
    /// only the memory trace.
    /// </summary>
    public int Rounds { get; init; } = 1;

    public int ResNetBatch { get; init; } = 32;

    /// <summary>libtorch intra-op threads, ours and PyTorch's alike.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Also time PyTorch with our shim's malloc thresholds (1) or only with glibc's defaults (0).</summary>
    public bool SameMalloc { get; init; } = true;

    /// <summary>Small-CNN steps for the resident-memory trace; 0 skips it.</summary>
    public int RssSteps { get; init; } = 1000;

    public int RssEvery { get; init; } = 250;

    /// <summary>Batch size of the memory trace (smaller than the throughput batch so 5,000 steps fit in minutes).</summary>
    public int RssBatch { get; init; } = 32;

    /// <summary>
    /// Where both sides train: "cpu", or "cuda" (the first GPU; our side needs a shim built against a CUDA libtorch,
    /// scripts/device/gpu-bench.sh). Batches are assembled on the CPU and copied to the device on both sides.
    /// </summary>
    public string Device { get; init; } = "cpu";

    /// <summary>The folder holding Fashion-MNIST's IDX files (gzipped or not), for both sides.</summary>
    public string Data { get; init; } = Cauchy.TrainingData.FashionMnist.DefaultDirectory;

    /// <summary>PyTorch's interpreter: Debian's python3 (the libtorch the shim links) unless told otherwise.</summary>
    public string Python { get; init; } = "/usr/bin/python3";

    /// <summary>Run only the CUDA checks (<see cref="Bench.CudaCheck"/>); exit code 1 when one fails.</summary>
    public bool CudaCheck { get; init; }

    /// <summary>Run only the 3-epoch accuracy check (small CNN, full test set, fails below 0.91).</summary>
    public bool Accuracy { get; init; }

    public int Epochs { get; init; } = 3;

    public int AccuracyBatch { get; init; } = 64;

    /// <summary>Random horizontal flips in the accuracy run (1) or none (0).</summary>
    public int Flip { get; init; }

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

            if (name == "--cuda-check")
            {
                options = options with { CudaCheck = true };
                continue;
            }

            if (name is "--device" or "--data" or "--python")
            {
                string text = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
                options = name switch
                {
                    "--device" => text is "cpu" or "cuda" ? options with { Device = text } : throw new ArgumentException($"--device is '{text}'; it must be cpu or cuda"),
                    "--data" => options with { Data = text },
                    _ => options with { Python = text },
                };
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
                "--rounds" => options with { Rounds = value },
                "--rss-steps" => options with { RssSteps = value },
                "--rss-every" => options with { RssEvery = value },
                "--rss-batch" => options with { RssBatch = value },
                "--epochs" => options with { Epochs = value },
                "--accuracy-batch" => options with { AccuracyBatch = value },
                "--flip" => options with { Flip = value },
                "--same-malloc" => options with { SameMalloc = value != 0 },
                _ => throw new ArgumentException($"unknown option {name}; see docs/benchmarks.md"),
            };
        }

        return options;
    }
}
