namespace Cauchy.ServiceDefaults.Security;

/// <summary>What a bearer credential proved: a principal, or why there is none.</summary>
public sealed record AuthenticationOutcome(CallerPrincipal? Principal, AuthenticationFailure Failure, string Why)
{
    public static AuthenticationOutcome Success(CallerPrincipal principal) => new(principal, AuthenticationFailure.None, "");

    public static AuthenticationOutcome Refused(string why) => new(null, AuthenticationFailure.Unauthenticated, why);

    public static AuthenticationOutcome Unavailable(string why) => new(null, AuthenticationFailure.Unavailable, why);
}
