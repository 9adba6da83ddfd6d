using System.Diagnostics;

namespace Cauchy.Deploy.Tests.Support;

/// <summary>Runs a tool to completion in the repository root and captures both output streams.</summary>
public static class Command
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static CommandResult Run(string fileName, params IEnumerable<string> arguments)
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

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} ran for more than {Timeout}");
        }

        return new CommandResult(process.ExitCode, output.Result, error.Result);
    }
}
