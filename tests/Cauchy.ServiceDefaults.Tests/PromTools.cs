using System.Diagnostics;

namespace Cauchy.ServiceDefaults.Tests;

/// <summary>
/// Finds the real Prometheus binaries (Debian package <c>prometheus</c>). Missing tools fail the test with a
/// way to install them; they are never a reason to pass.
/// </summary>
public static class PromTools
{
    public static string Promtool => Find("promtool");

    public static string Prometheus => Find("prometheus");

    /// <summary>Runs <c>promtool check metrics</c> on the text; returns its exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition)
    {
        var start = new ProcessStartInfo(Promtool, ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("promtool did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    private static string Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin"))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"'{name}' was not found on PATH. These tests check our /metrics output with the real Prometheus tools: " +
            "run `make deps` (it installs the Debian package 'prometheus', which provides promtool and prometheus).");
    }
}
