using System.Collections.Immutable;

namespace Cauchy.Grpc.AspNetCore;

/// <summary>
/// The services this server has mapped, in mapping order, each name once. Health and reflection are built on
/// it; the server itself uses it to tell an unknown method of a known service from an unknown service.
/// Registered as a singleton by <c>AddGrpc</c> and filled by <c>MapGrpcService</c>.
/// </summary>
public sealed class GrpcServiceCatalog
{
    // Mapping happens at start-up and lookups on every unknown-path request: an immutable snapshot keeps
    // readers lock-free.
    private ImmutableArray<MappedGrpcService> _services = [];
    private ImmutableDictionary<string, MappedGrpcService> _byName = ImmutableDictionary.Create<string, MappedGrpcService>(StringComparer.Ordinal);
    private readonly Lock _sync = new();

    // The catch-all UNIMPLEMENTED endpoint is added once per route builder, whichever service is mapped first.
    private readonly HashSet<object> _unimplementedMappedOn = new(ReferenceEqualityComparer.Instance);

    public IReadOnlyList<MappedGrpcService> Services => _services;

    public MappedGrpcService? Find(string serviceName) =>
        _byName.TryGetValue(serviceName, out var service) ? service : null;

    /// <summary>Adds a service unless one of that name is there already (a service may be mapped on several route groups).</summary>
    internal MappedGrpcService Add(MappedGrpcService service)
    {
        lock (_sync)
        {
            if (_byName.TryGetValue(service.Name, out var existing))
            {
                return existing;
            }
            _byName = _byName.Add(service.Name, service);
            _services = _services.Add(service);
            return service;
        }
    }

    internal bool TryMarkUnimplementedMapped(object routeBuilder)
    {
        lock (_sync)
        {
            return _unimplementedMappedOn.Add(routeBuilder);
        }
    }
}
