using System.Diagnostics;
using Xunit;

namespace Cauchy.Grpc.Tests.Standard.Support;

/// <summary>
/// Runs a script of tests/interop-node (an independent gRPC implementation, @grpc/grpc-js) and
/// collects what it printed. A missing node or missing node_modules fails the test with what to
/// do: a skipped interop check would look like a passing one.
/// </summary>
internal static class NodeScript
{
    public static string InteropNodeDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "interop-node");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }
        Assert.Fail($"tests/interop-node was not found above {AppContext.BaseDirectory}.");
        return "";
    }

    public static async Task<NodeScriptResult> RunAsync(string script, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var directory = InteropNodeDirectory();
        foreach (var package in new[] { "@grpc/grpc-js", "@grpc/proto-loader" })
        {
            if (!File.Exists(Path.Combine(directory, "node_modules", package, "package.json")))
            {
                Assert.Fail($"{Path.Combine(directory, "node_modules", package)} is missing: run `make deps` (npm ci in tests/interop-node) before the tests.");
            }
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(directory, script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            Assert.Fail($"node could not be started ({exception.Message}): install Node.js and run `make deps`.");
            throw;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"node {script} did not finish within {timeout}. stderr: {await stderr}");
            }
            return new NodeScriptResult(process.ExitCode, await stdout, await stderr);
        }
    }
}
