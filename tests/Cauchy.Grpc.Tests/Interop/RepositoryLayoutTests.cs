using Cauchy.Grpc.Tests.Interop.Infrastructure;
using Xunit;

namespace Cauchy.Grpc.Tests.Interop;

/// <summary>The interop suite must fail, with the fix in the message, when grpc-js is not installed.</summary>
public sealed class RepositoryLayoutTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cauchy-interop-node-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Missing_node_modules_fails_with_the_command_that_installs_them()
    {
        var error = Assert.Throws<InvalidOperationException>(() => RepositoryLayout.RequireNodeModules(_directory));

        Assert.Contains("make deps", error.Message, StringComparison.Ordinal);
        Assert.Contains("@grpc/grpc-js", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Installed_packages_pass()
    {
        foreach (var package in new[] { "grpc-js", "proto-loader" })
        {
            var folder = Directory.CreateDirectory(Path.Combine(_directory, "node_modules", "@grpc", package));
            File.WriteAllText(Path.Combine(folder.FullName, "package.json"), "{}");
        }

        RepositoryLayout.RequireNodeModules(_directory);
    }

    [Fact]
    public void The_repository_root_holds_the_solution_and_the_interop_scripts()
    {
        Assert.True(File.Exists(Path.Combine(RepositoryLayout.Root, "cauchy-k8s.sln")));
        Assert.True(File.Exists(Path.Combine(RepositoryLayout.InteropNodeDirectory, "server.js")));
        Assert.True(File.Exists(Path.Combine(RepositoryLayout.InteropNodeDirectory, "client.js")));
    }
}
