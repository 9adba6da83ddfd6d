namespace Cauchy.Orchestrator.Data;

/// <summary>
/// One platform token: its name, role and lifetime, and the SHA-256 of its secret (the secret itself is never stored).
/// </summary>
public sealed class ApiTokenEntity
{
    public required string Id { get; set; }

    public required string Name { get; set; }

    /// <summary>viewer, researcher, maintainer or admin.</summary>
    public required string Role { get; set; }

    /// <summary>SHA-256 of the secret (32 bytes).</summary>
    public required byte[] SecretHash { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? ExpiresAt { get; set; }

    /// <summary>When a service last accepted the token, kept to the minute.</summary>
    public DateTime? LastUsedAt { get; set; }

    public DateTime? RevokedAt { get; set; }

    /// <summary>The principal that created the token (<c>bootstrap</c> for the one made at start-up).</summary>
    public string CreatedBy { get; set; } = "";
}
