using System.Diagnostics;

namespace Cauchy.Platform.Tests.Infrastructure;

/// <summary>Runs a command to completion with a hard time limit; a command that overruns is killed and reported.</summary>
public static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IReadOnlyList<string> arguments,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryLayout.Root,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        var commandLine = string.Join(' ', [fileName, .. arguments]);
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {commandLine}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var timeoutSource = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(timeoutSource.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                throw new TimeoutException(
                    $"`{commandLine}` did not finish within {timeout.TotalSeconds:F0} s and was killed\n--- stdout ---\n{await ReadOrNote(stdout)}\n--- stderr ---\n{await ReadOrNote(stderr)}");
            }
        }

        // A child that inherited the pipes (a service started without redirecting its output) would keep them
        // open for its whole life; the command's own output is complete once it exited, so do not wait for it.
        return new ProcessResult(commandLine, process.ExitCode, await ReadOrNote(stdout), await ReadOrNote(stderr), stopwatch.Elapsed);
    }

    private static async Task<string> ReadOrNote(Task<string> output)
    {
        var finished = await Task.WhenAny(output, Task.Delay(TimeSpan.FromSeconds(5)));
        return finished == output
            ? await output
            : "(output still open 5 s after the command exited: a child process kept its stdout/stderr)";
    }
}
