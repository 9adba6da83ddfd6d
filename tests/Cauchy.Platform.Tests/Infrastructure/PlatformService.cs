using Google.Protobuf.Reflection;
using Xunit;

namespace Cauchy.Platform.Tests.Infrastructure;

/// <summary>
/// One of the five services as the README promises it: its name in scripts/services.sh, its assembly, its default
/// gRPC port (HTTP port = gRPC port + 1000) and the cauchy.v1 service it serves.
/// </summary>
public sealed record PlatformService(string Name, string Assembly, int DefaultGrpcPort, ServiceDescriptor Descriptor)
{
    public static IReadOnlyList<PlatformService> All { get; } =
    [
        new("datasets", "Cauchy.Datasets", 50051, Cauchy.V1.Datasets.Descriptor),
        new("orchestrator", "Cauchy.Orchestrator", 50052, Cauchy.V1.Jobs.Descriptor),
        new("trainer", "Cauchy.Trainer", 50053, Cauchy.V1.Trainer.Descriptor),
        new("metrics", "Cauchy.Metrics", 50054, Cauchy.V1.Metrics.Descriptor),
        new("registry", "Cauchy.Registry", 50055, Cauchy.V1.Models.Descriptor),
    ];

    /// <summary>The service names, for [MemberData] theories.</summary>
    public static TheoryData<string> Names
    {
        get
        {
            var names = new TheoryData<string>();
            foreach (var service in All)
            {
                names.Add(service.Name);
            }

            return names;
        }
    }

    /// <summary>The fully qualified gRPC service name, e.g. cauchy.v1.Datasets.</summary>
    public string GrpcService => Descriptor.FullName;

    /// <summary>The .proto file that declares the service, e.g. cauchy/v1/datasets.proto.</summary>
    public string ProtoFile => Descriptor.File.Name;

    public static PlatformService Named(string name) =>
        All.SingleOrDefault(s => s.Name == name) ?? throw new ArgumentException($"no service named {name}", nameof(name));

    public override string ToString() => Name;
}
