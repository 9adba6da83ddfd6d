using System.Diagnostics;

namespace Cauchy.Torch.Tests;

// Runs a script from reference/ with Debian's python3 (installed by `make deps`; a pyenv python3 earlier on PATH may
// lack the packages), returning its standard output. A non-zero exit fails with the script's own error text.
internal static class PythonScript
{
    internal const string Interpreter = "/usr/bin/python3";

    internal static string Run(string script, params string[] arguments) => Run(script, TimeSpan.FromSeconds(120), arguments);

    internal static string Run(string script, TimeSpan timeout, params string[] arguments)
    {
        if (!File.Exists(Interpreter))
        {
            throw new InvalidOperationException($"{Interpreter} is missing: run `make deps`");
        }

        var start = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "reference", script));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish within {timeout.TotalSeconds:0} s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} {string.Join(' ', arguments)} exited with {process.ExitCode}: {error.Result}");
        }

        return output.Result;
    }
}
