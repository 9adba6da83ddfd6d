using Cauchy.ServiceDefaults.Security;

namespace Cauchy.Orchestrator.Auth;

/// <summary>The orchestrator keeps the tokens, so it checks them in its own database (no cache: a revocation is effective at once).</summary>
public sealed class DatabaseTokenIntrospector(ApiTokens tokens) : ITokenIntrospector
{
    public Task<TokenIntrospection> IntrospectAsync(string secret, CancellationToken cancellationToken) =>
        tokens.IntrospectAsync(secret, cancellationToken);
}
