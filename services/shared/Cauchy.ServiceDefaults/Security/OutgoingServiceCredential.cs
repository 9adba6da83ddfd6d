namespace Cauchy.ServiceDefaults.Security;

/// <summary>
/// This service's own bearer credential for its calls to the other services (<see cref="ServiceCredential"/> of its
/// name), or null when no service secret is configured.
/// </summary>
public sealed class OutgoingServiceCredential(ServiceSecret secret, Hosting.ServiceIdentity identity)
{
    private readonly Lazy<string?> _bearer = new(() => secret.Key is { } key ? ServiceCredential.Create(key, identity.Name) : null);

    public string? Bearer => _bearer.Value;
}
