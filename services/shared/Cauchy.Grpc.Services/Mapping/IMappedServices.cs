namespace Cauchy.Grpc.Services.Mapping;

/// <summary>
/// Where the standard services learn which services the server exposes. A seam of our own rather
/// than the server's catalogue directly: health and reflection logic can then be tested with a
/// fixed list, and the server's catalogue API can change in one adapter.
/// </summary>
internal interface IMappedServices
{
    /// <summary>The services mapped so far, in mapping order, each name once.</summary>
    IReadOnlyList<MappedService> Snapshot();
}
