using Google.Protobuf.Reflection;

namespace Cauchy.Grpc.Services.Mapping;

/// <summary>A set of services known up front, for servers that name their services themselves.</summary>
internal sealed class FixedMappedServices : IMappedServices
{
    private readonly IReadOnlyList<MappedService> _services;

    public FixedMappedServices(IEnumerable<ServiceDescriptor> descriptors)
    {
        ArgumentNullException.ThrowIfNull(descriptors);
        _services = descriptors
            .Select(descriptor => new MappedService(descriptor.FullName, descriptor))
            .DistinctBy(service => service.FullName, StringComparer.Ordinal)
            .ToArray();
    }

    public IReadOnlyList<MappedService> Snapshot() => _services;
}
