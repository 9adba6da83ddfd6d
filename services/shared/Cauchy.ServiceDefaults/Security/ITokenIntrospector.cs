namespace Cauchy.ServiceDefaults.Security;

/// <summary>
/// Checks a platform token. The orchestrator answers from its own database; every other service asks the
/// orchestrator (<see cref="GrpcTokenIntrospector"/>). Throws <see cref="TokenCheckUnavailableException"/> when no
/// answer can be had, so that the caller is told UNAVAILABLE rather than that its token is bad.
/// </summary>
public interface ITokenIntrospector
{
    Task<TokenIntrospection> IntrospectAsync(string secret, CancellationToken cancellationToken);
}
