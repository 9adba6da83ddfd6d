namespace Cauchy.ServiceDefaults.Security;

/// <summary>The answer about one platform token: inactive (unknown, revoked or expired), or whose it is.</summary>
public sealed record TokenIntrospection(bool Active, string Principal, PlatformRole Role, DateTimeOffset? ExpiresAt)
{
    public static readonly TokenIntrospection Inactive = new(false, "", PlatformRole.None, null);
}
