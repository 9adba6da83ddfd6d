using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Cauchy.ServiceDefaults.Security;

/// <summary>
/// Turns the <c>authorization: Bearer ...</c> header of a request into a <see cref="CallerPrincipal"/>: a service
/// credential (<c>cauchy-svc.</c>) is checked locally against the shared secret, a platform token (<c>cauchy_</c>) by
/// the <see cref="ITokenIntrospector"/>, and anything else as a JWT when <c>Authentication:Jwt:Authority</c> is set.
/// </summary>
public sealed class BearerAuthenticator(IOptions<AuthenticationOptions> options, ServiceSecret secret, ITokenIntrospector introspector, TimeProvider? timeProvider = null)
{
    private const string Scheme = "Bearer ";

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async Task<AuthenticationOutcome> AuthenticateAsync(HttpContext httpContext, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var header = httpContext.Request.Headers.Authorization.ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            return AuthenticationOutcome.Refused("no authorization header");
        }

        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticationOutcome.Refused("the authorization header is not a bearer credential");
        }

        var credential = header[Scheme.Length..].Trim();
        if (credential.StartsWith(ServiceCredential.Prefix, StringComparison.Ordinal))
        {
            return secret.Key is { } key && ServiceCredential.TryVerify(key, credential, out var service)
                ? AuthenticationOutcome.Success(new CallerPrincipal("service:" + service, PlatformRole.Service))
                : AuthenticationOutcome.Refused("a service credential that does not match the service secret");
        }

        if (PlatformToken.LooksLikeOne(credential))
        {
            TokenIntrospection answer;
            try
            {
                answer = await introspector.IntrospectAsync(credential, cancellationToken).ConfigureAwait(false);
            }
            catch (TokenCheckUnavailableException ex)
            {
                return AuthenticationOutcome.Unavailable(ex.Message);
            }

            if (!answer.Active || answer.ExpiresAt is { } expires && expires <= _time.GetUtcNow())
            {
                return AuthenticationOutcome.Refused("an unknown, revoked or expired platform token");
            }

            return AuthenticationOutcome.Success(new CallerPrincipal(answer.Principal, answer.Role));
        }

        if (options.Value.Jwt.Enabled)
        {
            return await AuthenticateJwtAsync(httpContext).ConfigureAwait(false);
        }

        return AuthenticationOutcome.Refused("a bearer credential that is neither a platform token nor a service credential (JWTs are not configured)");
    }

    private async Task<AuthenticationOutcome> AuthenticateJwtAsync(HttpContext httpContext)
    {
        var result = await httpContext.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme).ConfigureAwait(false);
        if (!result.Succeeded || result.Principal is not { } user)
        {
            return AuthenticationOutcome.Refused("a JWT that does not validate: " + (result.Failure?.GetType().Name ?? "no result"));
        }

        var jwt = options.Value.Jwt;
        var name = user.FindFirst(jwt.NameClaim)?.Value is { Length: > 0 } named ? named : user.FindFirst("sub")?.Value ?? "unnamed";
        return AuthenticationOutcome.Success(new CallerPrincipal("jwt:" + name, HighestRole(user, jwt.RoleClaim)));
    }

    /// <summary>The highest platform role among the claim's values (an array claim, or names separated by spaces or commas).</summary>
    public static PlatformRole HighestRole(ClaimsPrincipal user, string roleClaim)
    {
        ArgumentNullException.ThrowIfNull(user);
        var best = PlatformRole.None;
        foreach (var claim in user.FindAll(roleClaim))
        {
            foreach (var word in claim.Value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (PlatformRoles.TryParseHuman(word, out var role) && role > best)
                {
                    best = role;
                }
            }
        }

        return best;
    }
}
