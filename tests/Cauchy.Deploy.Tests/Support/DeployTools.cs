using Cauchy.Testing;
using Xunit;

namespace Cauchy.Deploy.Tests.Support;

/// <summary>
/// The tools the chart's tests run: helm (unpacked by `make deps` into .tools/bin), node with tests/chart-node's
/// packages, promtool (Debian's prometheus) and kubectl. A missing tool skips the test with a reason that says how to
/// install it; `make deps` installs them all, so in CI every test runs.
/// </summary>
public static class DeployTools
{
    public static readonly string Root = RepositoryRoot.Find();

    public static string ChartDirectory => Path.Combine(Root, "charts", "cauchy");

    public static string Helm() => Require(Path.Combine(Root, ".tools", "bin", "helm"), "helm");

    public static string Kubectl() => Require(Path.Combine(Root, ".tools", "bin", "kubectl"), "kubectl");

    public static string Promtool() => Require(OnPath("promtool"), "promtool");

    /// <summary>node, with tests/chart-node's packages installed.</summary>
    public static string Node()
    {
        var node = Require(OnPath("node"), "node");
        Skip.IfNot(
            Directory.Exists(Path.Combine(Root, "tests", "chart-node", "node_modules", "kubernetes-models")),
            "tests/chart-node/node_modules is missing; run `make deps` (npm ci in tests/chart-node)");
        return node;
    }

    private static string Require(string? path, string name)
    {
        Skip.If(path is null || !File.Exists(path), $"{name} is not installed ({path ?? "not on PATH"}); run `make deps`");
        return path!;
    }

    private static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}
