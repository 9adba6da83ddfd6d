namespace Cauchy.ServiceDefaults.Security;

/// <summary><c>Authentication:Mode</c>.</summary>
public enum AuthenticationMode
{
    /// <summary>Every call needs a platform token, a service credential or (when configured) a JWT. The default.</summary>
    Tokens,

    /// <summary>Every caller may do everything: for tests only, and said so at start-up.</summary>
    None,
}
