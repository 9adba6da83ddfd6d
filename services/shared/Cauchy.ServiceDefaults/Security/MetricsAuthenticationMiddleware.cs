using Microsoft.AspNetCore.Http;

namespace Cauchy.ServiceDefaults.Security;

/// <summary>
/// With <c>Authentication:MetricsRequireToken=true</c>, <c>GET /metrics</c> answers 401 unless the request carries a
/// valid bearer credential (any role); Prometheus sends one with its <c>authorization</c> scrape setting.
/// </summary>
public sealed class MetricsAuthenticationMiddleware(BearerAuthenticator authenticator) : IMiddleware
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!context.Request.Path.Equals("/metrics", StringComparison.Ordinal))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var outcome = await authenticator.AuthenticateAsync(context, context.RequestAborted).ConfigureAwait(false);
        if (outcome.Principal is { Role: not PlatformRole.None })
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = outcome.Failure == AuthenticationFailure.Unavailable ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await context.Response.WriteAsync(AuthorizationInterceptor.UnauthenticatedMessage + "\n").ConfigureAwait(false);
    }
}
