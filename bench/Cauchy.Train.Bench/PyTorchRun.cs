using System.Diagnostics;
using System.Text.Json;

namespace Cauchy.Train.Bench;

/// <summary>
/// PyTorch's side: train_bench.py under Debian's /usr/bin/python3 (python3-torch, the libtorch the shim links), or
/// under the interpreter --python names (a GPU machine's python3, whose CUDA libtorch the shim was built against).
/// </summary>
internal static class PyTorchRun
{
    /// <summary>glibc's variables with the thresholds the shim sets through mallopt (see native/cauchy_torch.cpp).</summary>
    internal static readonly IReadOnlyDictionary<string, string> SameMalloc = new Dictionary<string, string>
    {
        ["MALLOC_MMAP_THRESHOLD_"] = (32 << 20).ToString(),
        ["MALLOC_TRIM_THRESHOLD_"] = (512 << 20).ToString(),
    };

    /// <param name="sameMalloc">
    /// Run Python with the malloc thresholds our shim sets (glibc reads them from the environment); otherwise with
    /// glibc's defaults, as a plain <c>python3</c> runs.
    /// </param>
    internal static RunResult Throughput(string architecture, int steps, int batch, bool sameMalloc, BenchOptions options)
    {
        string interpreter = options.Python;
        var start = new ProcessStartInfo(interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach ((string name, string value) in SameMalloc)
        {
            start.Environment.Remove(name);
            if (sameMalloc)
            {
                start.Environment[name] = value;
            }
        }

        foreach (string argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "train_bench.py"), "--model", architecture, "--steps", steps.ToString(),
            "--batch", batch.ToString(), "--threads", options.Threads.ToString(), "--warmup", EngineRuns.WarmupSteps.ToString(),
            "--device", options.Device, "--data", options.Data,
        })
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {interpreter}");
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"train_bench.py --model {architecture} exited with {process.ExitCode}: {error.Result}");
        }

        string line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        JsonElement result = JsonDocument.Parse(line).RootElement;
        return new RunResult(result.GetProperty("images_per_s").GetDouble(), result.GetProperty("cpu_seconds").GetDouble() / ((double)steps * batch));
    }
}
