using System.Diagnostics;

namespace Cauchy.Deploy.Tests.Support;

/// <summary>Runs a tool to completion in the repository root and captures both output streams.</summary>
public static class Command
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static CommandResult Run(string fileName, params IEnumerable<string> arguments) =>
        Run(fileName, arguments, new Dictionary<string, string>());

    /// <summary>Runs the tool with these environment variables set in addition to this process's, for up to <paramref name="timeout"/> (default 3 minutes).</summary>
    public static CommandResult Run(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = DeployTools.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} ran for more than {timeout ?? Timeout}");
        }

        return new CommandResult(process.ExitCode, output.Result, error.Result);
    }
}
