using System.Text.Json;
using Cauchy.Platform.Tests.Infrastructure;
using Cauchy.Platform.Tests.Node;
using Google.Protobuf.Reflection;
using Xunit;

namespace Cauchy.Platform.Tests.Platform;

/// <summary>
/// "Reflection lists its cauchy.v1 service and returns its file descriptors": a grpc-js client speaks
/// grpc.reflection.v1 and v1alpha (grpcurl uses v1 and falls back to v1alpha) to every service, decodes the
/// FileDescriptorProtos with protobufjs and compares them with the descriptors our contracts were compiled from.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ReflectionTests(PlatformFixture fixture)
{
    private const string Health = "grpc.health.v1.Health";
    private const string ReflectionV1 = "grpc.reflection.v1.ServerReflection";
    private const string ReflectionV1Alpha = "grpc.reflection.v1alpha.ServerReflection";
    private const int NotFound = 5;

    public static TheoryData<string, string> ServicesAndVersions
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var service in PlatformService.All)
            {
                data.Add(service.Name, "v1");
                data.Add(service.Name, "v1alpha");
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ServicesAndVersions))]
    public async Task ListServices_NamesItsCauchyServiceHealthAndReflection(string name, string version)
    {
        var service = PlatformService.Named(name);

        var probe = await ReflectAsync(service, version);

        var listed = probe.ListServices;
        Assert.True(listed.Kind == "list_services_response", $"list_services on {service.Name} ({version}): {listed}");
        var names = listed.Services ?? [];
        Assert.Equal(names.Distinct().Order(), names.Order());
        // The orchestrator serves the platform tokens (cauchy.v1.Auth) beside Jobs.
        string[] own = service.Name == "orchestrator" ? [service.GrpcService, V1.Auth.Descriptor.FullName] : [service.GrpcService];
        Assert.Equal(
            own.Concat([Health, ReflectionV1, ReflectionV1Alpha]).Order(),
            names.Order());
    }

    [Theory]
    [MemberData(nameof(ServicesAndVersions))]
    public async Task FileContainingSymbol_ReturnsTheServiceFileAndEveryDependency(string name, string version)
    {
        var service = PlatformService.Named(name);

        var probe = await ReflectAsync(service, version);

        var answer = probe.Symbol;
        Assert.True(answer.Kind == "file_descriptor_response", $"file_containing_symbol {service.GrpcService} on {service.Name} ({version}): {answer}");
        // Grpc.Reflection leaves the answer's original_request unset; generic clients (grpcurl, the node client in
        // tests/interop-node) match answers to requests by order instead, so it is not required here.
        var files = answer.Files ?? [];
        Assert.All(files, file => Assert.True(file.Decoded, $"a FileDescriptorProto of {file.Bytes} bytes does not decode: {file.Error}"));

        // The file that declares the symbol comes first, then what it needs, transitively: a client can build the
        // service's descriptors from this one answer.
        Assert.Equal(service.ProtoFile, files.FirstOrDefault()?.Name);
        var returned = files.Select(f => f.Name!).ToList();
        Assert.Equal(returned.Distinct().Order(), returned.Order());
        Assert.Equal(TransitiveFiles(service.Descriptor.File).Order(), returned.Order());
        foreach (var file in files)
        {
            var missing = (file.Dependency ?? []).Except(returned).ToList();
            Assert.True(missing.Count == 0, $"{file.Name} imports {string.Join(", ", missing)}, which the answer lacks");
        }
    }

    [Theory]
    [MemberData(nameof(ServicesAndVersions))]
    public async Task ReflectedServiceFile_DescribesTheSameRpcsAsOurContracts(string name, string version)
    {
        var service = PlatformService.Named(name);

        var probe = await ReflectAsync(service, version);

        var file = (probe.Symbol.Files ?? []).FirstOrDefault(f => f.Name == service.ProtoFile);
        Assert.True(file is not null, $"no {service.ProtoFile} in {probe.Symbol}");
        Assert.Equal("cauchy.v1", file.Package);
        Assert.Equal(service.Descriptor.File.Dependencies.Select(d => d.Name), file.Dependency);
        Assert.Equal(service.Descriptor.File.MessageTypes.Select(m => m.Name), file.MessageTypes);
        var reflected = Assert.Single(file.Services ?? [], s => s.Name == service.Descriptor.Name);
        var expected = service.Descriptor.Methods.Select(m => new ReflectedMethod(
            m.Name, "." + m.InputType.FullName, "." + m.OutputType.FullName, m.IsClientStreaming, m.IsServerStreaming));
        Assert.Equal(expected, reflected.Methods);
    }

    [Theory]
    [MemberData(nameof(ServicesAndVersions))]
    public async Task EveryListedService_CanBeDescribed(string name, string version)
    {
        var service = PlatformService.Named(name);

        var probe = await ReflectAsync(service, version);

        Assert.NotEmpty(probe.Describable);
        foreach (var (listed, files) in probe.Describable)
        {
            Assert.True(files.ValueKind == JsonValueKind.Array, $"file_containing_symbol {listed} on {service.Name} ({version}): {files}");
        }

        // The standard services are described by the files their packages compiled: Grpc.HealthCheck names its file
        // "health.proto" rather than the canonical "grpc/health/v1/health.proto"; generic tools find it by symbol.
        Assert.Contains(FileNames(probe.Describable[Health]), file => file.EndsWith("health.proto", StringComparison.Ordinal));
        Assert.Contains(FileNames(probe.Describable[ReflectionV1]), file => file.EndsWith("reflection.proto", StringComparison.Ordinal));
        Assert.Contains(FileNames(probe.Describable[ReflectionV1Alpha]), file => file.EndsWith("reflection.proto", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ServicesAndVersions))]
    public async Task UnknownSymbol_AnswersNotFoundAndTheStreamGoesOn(string name, string version)
    {
        var service = PlatformService.Named(name);

        var probe = await ReflectAsync(service, version);

        Assert.True(
            probe.UnknownSymbol is { Kind: "error_response", ErrorCode: NotFound },
            $"file_containing_symbol of an unknown symbol must answer an error_response with NOT_FOUND: {probe.UnknownSymbol}");
        // The probe asked file_by_filename after the error on the same stream: an error answer must not end it.
        Assert.True(
            probe.ByFilename is { Kind: "file_descriptor_response" } && probe.ByFilename.Files?.FirstOrDefault()?.Name == service.ProtoFile,
            $"file_by_filename {service.ProtoFile} after the error: {probe.ByFilename}");
    }

    private Task<ReflectionProbeResult> ReflectAsync(PlatformService service, string version) =>
        fixture.ReflectAsync(service, version);

    private static IEnumerable<string> FileNames(JsonElement files) =>
        files.ValueKind == JsonValueKind.Array ? files.EnumerateArray().Select(f => f.GetString() ?? "") : [];

    private static HashSet<string> TransitiveFiles(FileDescriptor file)
    {
        var names = new HashSet<string>();
        var pending = new Stack<FileDescriptor>([file]);
        while (pending.TryPop(out var next))
        {
            if (names.Add(next.Name))
            {
                foreach (var dependency in next.Dependencies)
                {
                    pending.Push(dependency);
                }
            }
        }

        return names;
    }
}
