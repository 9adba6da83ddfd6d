namespace Cauchy.ServiceDefaults.Hosting;

/// <summary>
/// Marks an endpoint that is served on the HTTP port (<c>/metrics</c>, <c>/healthz</c>). Every endpoint without
/// it (the gRPC services) is served on the gRPC port only.
/// </summary>
public sealed class HttpPortEndpointMetadata
{
    public static readonly HttpPortEndpointMetadata Instance = new();

    private HttpPortEndpointMetadata()
    {
    }
}
