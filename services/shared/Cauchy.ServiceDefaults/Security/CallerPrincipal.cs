using Grpc.Core;

namespace Cauchy.ServiceDefaults.Security;

/// <summary>
/// Who made a call, as the authorization interceptor established it: <c>token:&lt;name&gt;</c>, <c>service:&lt;name&gt;</c>,
/// <c>jwt:&lt;subject&gt;</c>, or <see cref="Anonymous"/> when authentication is off.
/// </summary>
public sealed record CallerPrincipal(string Name, PlatformRole Role)
{
    private const string UserStateKey = "cauchy.principal";

    /// <summary>The caller of every RPC when <c>Authentication:Mode=none</c>: it may do everything.</summary>
    public static readonly CallerPrincipal Anonymous = new("anonymous", PlatformRole.Admin);

    /// <summary>Whether this caller may do what <paramref name="required"/> may.</summary>
    public bool Has(PlatformRole required) => PlatformRoles.Satisfies(Role, required);

    /// <summary>A caller no interceptor vouched for: it holds no role, so a check against it fails closed.</summary>
    public static readonly CallerPrincipal Unknown = new("unknown", PlatformRole.None);

    /// <summary>The caller of the RPC being served; <see cref="Unknown"/> when no interceptor recorded one.</summary>
    public static CallerPrincipal Of(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.UserState.TryGetValue(UserStateKey, out var value) && value is CallerPrincipal principal ? principal : Unknown;
    }

    internal void AttachTo(ServerCallContext context) => context.UserState[UserStateKey] = this;
}
