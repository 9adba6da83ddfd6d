namespace Cauchy.ServiceDefaults.Security;

/// <summary>
/// <c>Authentication</c>: how callers prove who they are. Documented with defaults in the README's Authentication
/// section.
/// </summary>
public sealed class AuthenticationOptions
{
    public const string SectionName = "Authentication";

    /// <summary>The shortest service secret accepted, in bytes.</summary>
    public const int MinimumServiceSecretBytes = 32;

    public AuthenticationMode Mode { get; set; } = AuthenticationMode.Tokens;

    /// <summary>The secret the platform's services share to sign their own credentials (at least 32 bytes).</summary>
    public string ServiceSecret { get; set; } = "";

    /// <summary>A file holding <see cref="ServiceSecret"/> (e.g. a mounted Kubernetes Secret); used when ServiceSecret is empty.</summary>
    public string ServiceSecretFile { get; set; } = "";

    /// <summary>Whether <c>GET /metrics</c> needs a bearer credential too (any valid one).</summary>
    public bool MetricsRequireToken { get; set; }

    /// <summary>How long another service trusts the orchestrator's "valid" answer for a platform token: a revocation is effective everywhere within it.</summary>
    public double IntrospectionCacheSeconds { get; set; } = 30;

    /// <summary>How long an "unknown, revoked or expired" answer is kept.</summary>
    public double NegativeIntrospectionCacheSeconds { get; set; } = 5;

    /// <summary>The most answers kept in the cache.</summary>
    public int IntrospectionCacheEntries { get; set; } = 10_000;

    public JwtOptions Jwt { get; set; } = new();
}
