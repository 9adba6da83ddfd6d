using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace Cauchy.Grpc.Tests.Interop.Infrastructure;

/// <summary>One line of client.js output: how a grpc-js scenario went.</summary>
internal sealed record ScenarioResult(string Scenario, bool Ok, long ElapsedMs, string? Error, JsonElement Details);

/// <summary>Runs tests/interop-node/client.js scenarios (a grpc-js client) against a server.</summary>
internal static class GrpcJsClient
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Runs one scenario, asserts that grpc-js saw everything it expected, and returns its details.</summary>
    public static async Task<JsonElement> AssertScenarioPassesAsync(string address, string scenario)
    {
        var results = await RunAsync(address, scenario);
        var result = Assert.Single(results);
        Assert.True(result.Ok, $"grpc-js scenario '{scenario}' against {address} failed: {result.Error}");
        return result.Details;
    }

    public static async Task<IReadOnlyList<ScenarioResult>> RunAsync(string address, params string[] scenarios)
    {
        RepositoryLayout.RequireNodeModules();
        var startInfo = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryLayout.InteropNodeDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add("client.js");
        startInfo.ArgumentList.Add("--address");
        startInfo.ArgumentList.Add(address);
        startInfo.ArgumentList.Add("--scenario");
        startInfo.ArgumentList.Add(string.Join(',', scenarios));

        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("Cannot run `node` (Node.js 20 is needed for the grpc-js interop tests; `make deps` installs it).", e);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(RunTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                throw new TimeoutException(
                    $"node client.js --scenario {string.Join(',', scenarios)} ran longer than {RunTimeout}. stdout:\n{await output}\nstderr:\n{await error}");
            }
            var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var results = lines.Where(line => line.StartsWith('{')).Select(Parse).ToList();
            var expected = scenarios.Contains("all") ? Math.Max(results.Count, 1) : scenarios.Length;
            if (results.Count != expected)
            {
                throw new InvalidOperationException(
                    $"node client.js exited with {process.ExitCode} and reported {results.Count} of {scenarios.Length} scenarios. stdout:\n{await output}\nstderr:\n{await error}");
            }
            return results;
        }
    }

    private static ScenarioResult Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        return new ScenarioResult(
            root.GetProperty("scenario").GetString()!,
            root.GetProperty("ok").GetBoolean(),
            root.GetProperty("elapsed_ms").GetInt64(),
            root.TryGetProperty("error", out var error) ? error.GetString() : null,
            root.TryGetProperty("details", out var details) ? details.Clone() : default);
    }
}
