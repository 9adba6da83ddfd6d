namespace Cauchy.Grpc.Tests.Interop.Infrastructure;

/// <summary>Where the repository and the grpc-js interop scripts are, seen from the test binaries.</summary>
internal static class RepositoryLayout
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    public static string Root => RootPath.Value;

    public static string InteropNodeDirectory => Path.Combine(Root, "tests", "interop-node");

    /// <summary>Fails (never skips) when the grpc-js packages are not installed.</summary>
    public static void RequireNodeModules() => RequireNodeModules(InteropNodeDirectory);

    internal static void RequireNodeModules(string interopNodeDirectory)
    {
        var modules = Path.Combine(interopNodeDirectory, "node_modules", "@grpc");
        foreach (var package in new[] { "grpc-js", "proto-loader" })
        {
            if (!File.Exists(Path.Combine(modules, package, "package.json")))
            {
                throw new InvalidOperationException(
                    $"The interop tests need @grpc/{package} in {Path.Combine(interopNodeDirectory, "node_modules")}, and it is missing. " +
                    "Run `make deps` (it runs `npm ci` in tests/interop-node) and run the tests again.");
            }
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "cauchy-k8s.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No cauchy-k8s.sln above {AppContext.BaseDirectory}: the interop tests must run from a build inside the repository.");
    }
}
