using System.Diagnostics;
using System.Globalization;

namespace Cauchy.Load.Bench;

/// <summary>
/// The platform exactly as <c>make up</c> starts it (scripts/up.sh, five processes on loopback with their embedded
/// databases and local stores), on ports shifted by an offset and in a run folder of its own, so that it never
/// touches a developer's platform; scripts/down.sh stops it.
/// </summary>
public sealed class ScriptedPlatform(string root, int portOffset, string configuration) : IAsyncDisposable
{
    public static readonly (string Name, int Port)[] Services =
        [("datasets", 50051), ("orchestrator", 50052), ("trainer", 50053), ("metrics", 50054), ("registry", 50055)];

    private readonly string _runDirectory = Directory.CreateTempSubdirectory("cauchy-load-bench-").FullName;

    public string Address(string service) =>
        string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Services.Single(s => s.Name == service).Port + portOffset}");

    public async Task StartAsync() => await RunScriptAsync("up.sh", configuration);

    /// <summary>The admin token `make up` wrote into the run folder (authentication is on, as for any user).</summary>
    public string AdminToken => File.ReadAllText(Path.Combine(_runDirectory, "admin.token")).Trim();

    /// <summary>Resident memory (VmRSS) of each service process now, in bytes.</summary>
    public Dictionary<string, long> ResidentBytes() => Services.ToDictionary(s => s.Name, s =>
    {
        string pid = File.ReadAllText(Path.Combine(_runDirectory, "pids", $"{s.Name}.pid")).Trim();
        string line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    });

    public async ValueTask DisposeAsync()
    {
        await RunScriptAsync("down.sh");
        try
        {
            Directory.Delete(_runDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A log still being written: a temporary folder, harmless.
        }
    }

    private async Task RunScriptAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = root, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(root, "scripts", script));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["CAUCHY_PORT_OFFSET"] = portOffset.ToString(CultureInfo.InvariantCulture);
        start.Environment["CAUCHY_RUN_DIR"] = _runDirectory;
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{script} did not start");
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/{script} failed (exit {process.ExitCode}); logs in {_runDirectory}/logs");
        }
    }
}
