using System.Reflection;
using Cauchy.ServiceDefaults.Security;
using Google.Protobuf.Reflection;
using Xunit;

namespace Cauchy.ServiceDefaults.Tests.Security;

public sealed class RpcPermissionsTests
{
    /// <summary>Every RPC of every service of the contracts, by full method name, read from the generated file descriptors.</summary>
    public static IReadOnlyList<string> ContractMethods()
    {
        var files = typeof(V1.Jobs).Assembly.GetTypes()
            .Where(static t => t.Name.EndsWith("Reflection", StringComparison.Ordinal))
            .Select(static t => t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null))
            .OfType<FileDescriptor>()
            .ToList();
        Assert.Contains(files, static f => f.Name == "cauchy/v1/auth.proto");
        return [.. files.SelectMany(static f => f.Services).SelectMany(static s => s.Methods).Select(static m => $"/{m.Service.FullName}/{m.Name}")];
    }

    [Fact]
    public void Every_rpc_of_every_service_has_an_entry()
    {
        var methods = ContractMethods();
        Assert.True(methods.Count > 40, $"only {methods.Count} methods found in the contracts");
        var missing = methods.Where(static m => !RpcPermissions.Required.ContainsKey(m)).ToList();
        Assert.True(missing.Count == 0, "RPCs without an entry in RpcPermissions: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_entry_names_an_rpc_that_exists()
    {
        var methods = ContractMethods().ToHashSet(StringComparer.Ordinal);
        var stale = RpcPermissions.Required.Keys.Where(m => !methods.Contains(m)).ToList();
        Assert.True(stale.Count == 0, "RpcPermissions entries for RPCs that do not exist: " + string.Join(", ", stale));
    }

    [Theory]
    [InlineData("/cauchy.v1.Models/TransitionStage", PlatformRole.Maintainer)]
    [InlineData("/cauchy.v1.Models/DeleteModelVersion", PlatformRole.Maintainer)]
    [InlineData("/cauchy.v1.Datasets/DeleteDataset", PlatformRole.Maintainer)]
    [InlineData("/cauchy.v1.Datasets/DeleteDatasetVersion", PlatformRole.Maintainer)]
    [InlineData("/cauchy.v1.Trainer/Drain", PlatformRole.Maintainer)]
    [InlineData("/cauchy.v1.Models/DownloadArtifact", PlatformRole.Viewer)]
    [InlineData("/cauchy.v1.Jobs/LeaseJob", PlatformRole.Service)]
    [InlineData("/cauchy.v1.Auth/CreateToken", PlatformRole.Admin)]
    public void The_table_holds_the_roles_the_platform_promises(string method, PlatformRole role) =>
        Assert.Equal(role, RpcPermissions.Required[method]);

    [Fact]
    public void Health_and_reflection_are_open_and_nothing_else_is()
    {
        Assert.True(RpcPermissions.IsOpen("/grpc.health.v1.Health/Check"));
        Assert.True(RpcPermissions.IsOpen("/grpc.health.v1.Health/Watch"));
        Assert.True(RpcPermissions.IsOpen("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"));
        Assert.True(RpcPermissions.IsOpen("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"));
        Assert.All(ContractMethods(), static m => Assert.False(RpcPermissions.IsOpen(m)));
    }

    [Theory]
    [InlineData(PlatformRole.Viewer, PlatformRole.Viewer, true)]
    [InlineData(PlatformRole.Viewer, PlatformRole.Researcher, false)]
    [InlineData(PlatformRole.Researcher, PlatformRole.Viewer, true)]
    [InlineData(PlatformRole.Maintainer, PlatformRole.Researcher, true)]
    [InlineData(PlatformRole.Maintainer, PlatformRole.Admin, false)]
    [InlineData(PlatformRole.Admin, PlatformRole.Maintainer, true)]
    [InlineData(PlatformRole.Admin, PlatformRole.Service, false)]
    [InlineData(PlatformRole.Service, PlatformRole.Service, true)]
    [InlineData(PlatformRole.Service, PlatformRole.Viewer, true)]
    [InlineData(PlatformRole.Service, PlatformRole.Researcher, true)]
    [InlineData(PlatformRole.Service, PlatformRole.Maintainer, false)]
    [InlineData(PlatformRole.Service, PlatformRole.Admin, false)]
    [InlineData(PlatformRole.None, PlatformRole.Viewer, false)]
    public void Roles_satisfy_the_roles_below_them_and_services_only_their_own_reads_and_writes(PlatformRole held, PlatformRole required, bool allowed) =>
        Assert.Equal(allowed, PlatformRoles.Satisfies(held, required));
}
