namespace Cauchy.ServiceDefaults.Security;

/// <summary>
/// <c>Authentication:Jwt</c>: bearer JWTs from the organisation's OpenID Connect issuer. Off while
/// <see cref="Authority"/> is empty.
/// </summary>
public sealed class JwtOptions
{
    /// <summary>The issuer's URL; its <c>/.well-known/openid-configuration</c> names the signing keys.</summary>
    public string Authority { get; set; } = "";

    /// <summary>The audience a token must be issued for (the <c>aud</c> claim).</summary>
    public string Audience { get; set; } = "";

    /// <summary>The claim holding one or several platform role names (viewer, researcher, maintainer, admin); the highest counts.</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>The claim naming the caller in the audit log; <c>sub</c> when absent.</summary>
    public string NameClaim { get; set; } = "preferred_username";

    /// <summary>Refuse an authority reached over plain HTTP.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}
