using Cauchy.ServiceDefaults.GrpcClient;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cauchy.ServiceDefaults.Security;

public static class SecurityServiceCollectionExtensions
{
    /// <summary>
    /// The <c>Authentication</c> options (validated at start-up), the shared service secret and this service's outgoing
    /// credential, token checks through the orchestrator (a service that keeps the tokens registers its own
    /// <see cref="ITokenIntrospector"/> after this), JWT bearer validation, the audit log and the
    /// <see cref="AuthorizationInterceptor"/>.
    /// </summary>
    public static IServiceCollection AddPlatformAuthentication(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<AuthenticationOptions>()
            .BindConfiguration(AuthenticationOptions.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthenticationOptions>, AuthenticationOptionsValidator>());
        services.TryAddSingleton<ServiceSecret>();
        services.TryAddSingleton<OutgoingServiceCredential>();
        services.TryAddSingleton(static provider => new GrpcServiceClientFactory(
            provider.GetRequiredService<IConfiguration>(),
            provider.GetService<ILoggerFactory>(),
            provider.GetService<TimeProvider>(),
            provider.GetService<OutgoingServiceCredential>()));
        services.TryAddSingleton<ITokenIntrospector, GrpcTokenIntrospector>();
        services.TryAddSingleton<BearerAuthenticator>();
        services.TryAddSingleton<AuditLog>();
        services.TryAddSingleton<AuthorizationInterceptor>();
        services.TryAddSingleton<MetricsAuthenticationMiddleware>();

        services.AddAuthentication().AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthenticationOptions>>(static (bearer, authentication) =>
            {
                var jwt = authentication.Value.Jwt;
                if (!jwt.Enabled)
                {
                    return;
                }

                bearer.Authority = jwt.Authority;
                bearer.Audience = jwt.Audience;
                bearer.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
                // Claims keep the names the issuer gave them ("roles", "sub"), not WS-* URIs.
                bearer.MapInboundClaims = false;
                bearer.TokenValidationParameters.RoleClaimType = jwt.RoleClaim;
                bearer.TokenValidationParameters.NameClaimType = jwt.NameClaim;
            });
        return services;
    }
}
