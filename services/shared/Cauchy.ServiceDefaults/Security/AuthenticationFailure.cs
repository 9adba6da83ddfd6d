namespace Cauchy.ServiceDefaults.Security;

/// <summary>Why a call has no principal.</summary>
public enum AuthenticationFailure
{
    None,

    /// <summary>No credential, or one that is malformed, forged, unknown, expired or revoked.</summary>
    Unauthenticated,

    /// <summary>The credential could not be checked now (the orchestrator is unreachable); it may be fine.</summary>
    Unavailable,
}
