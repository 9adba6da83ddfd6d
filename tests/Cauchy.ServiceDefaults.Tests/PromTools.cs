using System.Diagnostics;
using Cauchy.Testing;

namespace Cauchy.ServiceDefaults.Tests;

/// <summary>
/// The real promtool (Debian package <c>prometheus</c>; the Prometheus server itself is Cauchy.Testing's
/// <see cref="PrometheusServer"/>). A missing tool fails the test with a way to install it; it is never a reason to pass.
/// </summary>
public static class PromTools
{
    public static string Promtool => InstalledTool.Find("promtool",
        "These tests check our /metrics output with the real Prometheus tools: " +
        "run `make deps` (it installs the Debian package 'prometheus', which provides promtool and prometheus).");

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
}
