namespace Cauchy.ServiceDefaults.Security;

/// <summary>Role names as they are written in tokens, JWT claims and settings, and the rule of which role satisfies which.</summary>
public static class PlatformRoles
{
    /// <summary>The roles a platform token or a JWT may hold (not <see cref="PlatformRole.Service"/>).</summary>
    public static readonly IReadOnlyList<PlatformRole> Human = [PlatformRole.Viewer, PlatformRole.Researcher, PlatformRole.Maintainer, PlatformRole.Admin];

    public static string Name(PlatformRole role) => role switch
    {
        PlatformRole.Viewer => "viewer",
        PlatformRole.Researcher => "researcher",
        PlatformRole.Maintainer => "maintainer",
        PlatformRole.Admin => "admin",
        PlatformRole.Service => "service",
        _ => "none",
    };

    /// <summary>Parses a human role name (case-insensitive); <c>service</c> is not one.</summary>
    public static bool TryParseHuman(string? text, out PlatformRole role)
    {
        role = Human.FirstOrDefault(r => string.Equals(Name(r), text?.Trim(), StringComparison.OrdinalIgnoreCase));
        return role != PlatformRole.None;
    }

    /// <summary>
    /// Whether a caller holding <paramref name="held"/> may call an RPC that needs <paramref name="required"/>. Human
    /// roles follow their order and never satisfy <see cref="PlatformRole.Service"/>; a service satisfies service,
    /// viewer and researcher entries (trainers read datasets, evaluate and register) but not maintainer or admin ones.
    /// </summary>
    public static bool Satisfies(PlatformRole held, PlatformRole required) => (held, required) switch
    {
        (PlatformRole.None, _) or (_, PlatformRole.None) => false,
        (PlatformRole.Service, _) => required is PlatformRole.Service or PlatformRole.Viewer or PlatformRole.Researcher,
        (_, PlatformRole.Service) => false,
        _ => held >= required,
    };
}
