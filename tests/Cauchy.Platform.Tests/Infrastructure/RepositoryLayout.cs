namespace Cauchy.Platform.Tests.Infrastructure;

/// <summary>Where the repository, its scripts and the node tooling are, seen from the test assembly.</summary>
public static class RepositoryLayout
{
    private const string SolutionFile = "cauchy-k8s.sln";

    /// <summary>The repository root: the first folder above the test assembly that holds the solution.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// The build configuration the tests were built in (bin/&lt;Config&gt;/net10.0), so that scripts/up.sh starts
    /// the services of that same configuration.
    /// </summary>
    public static string Configuration { get; } = FindConfiguration();

    public static string UpScript => Path.Combine(Root, "scripts", "up.sh");

    public static string DownScript => Path.Combine(Root, "scripts", "down.sh");

    public static string NodeProbeScript => Path.Combine(Root, "tests", "Cauchy.Platform.Tests", "node", "platform-probe.js");

    public static string InteropNodeModules => Path.Combine(Root, "tests", "interop-node", "node_modules");

    /// <summary>Fails, never skips, when the grpc-js tooling that `make deps` installs is missing.</summary>
    public static void RequireNodeModules()
    {
        foreach (var package in new[] { "@grpc/grpc-js", "@grpc/proto-loader", "protobufjs" })
        {
            var folder = Path.Combine(InteropNodeModules, package);
            if (!Directory.Exists(folder))
            {
                throw new InvalidOperationException($"{folder} is missing: run make deps (it installs tests/interop-node's npm packages).");
            }
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no {SolutionFile} above {AppContext.BaseDirectory}");
    }

    private static string FindConfiguration()
    {
        // .../tests/Cauchy.Platform.Tests/bin/<Config>/net10.0/
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent;
        if (configuration?.Parent?.Name != "bin")
        {
            throw new InvalidOperationException($"cannot tell the build configuration from {AppContext.BaseDirectory} (expected bin/<Config>/<framework>)");
        }

        return configuration.Name;
    }
}
