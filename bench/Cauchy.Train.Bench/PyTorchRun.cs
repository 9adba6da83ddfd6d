using System.Diagnostics;
using System.Text.Json;

namespace Cauchy.Train.Bench;

/// <summary>PyTorch's side: train_bench.py under Debian's /usr/bin/python3 (python3-torch, the libtorch the shim links).</summary>
internal static class PyTorchRun
{
    private const string Interpreter = "/usr/bin/python3";

    internal static double Throughput(string architecture, int steps, int batch, int threads)
    {
        var start = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "train_bench.py"), "--model", architecture, "--steps", steps.ToString(),
            "--batch", batch.ToString(), "--threads", threads.ToString(), "--warmup", EngineRuns.WarmupSteps.ToString(),
        })
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Interpreter}");
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"train_bench.py --model {architecture} exited with {process.ExitCode}: {error.Result}");
        }

        string line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        return JsonDocument.Parse(line).RootElement.GetProperty("images_per_s").GetDouble();
    }
}
