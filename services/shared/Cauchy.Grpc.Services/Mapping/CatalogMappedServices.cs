using Cauchy.Grpc.AspNetCore;

namespace Cauchy.Grpc.Services.Mapping;

/// <summary>The services <c>MapGrpcService</c> has mapped on this server, read from the server's catalogue.</summary>
internal sealed class CatalogMappedServices(GrpcServiceCatalog catalog) : IMappedServices
{
    public IReadOnlyList<MappedService> Snapshot() =>
        catalog.Services.Select(service => new MappedService(service.Name, service.Descriptor)).ToArray();
}
