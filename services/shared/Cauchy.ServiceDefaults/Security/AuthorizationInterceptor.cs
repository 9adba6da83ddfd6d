using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cauchy.ServiceDefaults.Security;

/// <summary>
/// The one place where calls are authenticated and authorized, for every call kind of every service: the bearer
/// credential becomes a <see cref="CallerPrincipal"/> (<see cref="BearerAuthenticator"/>), <see cref="RpcPermissions"/>
/// says which role the method needs, and calls above viewer are written to the <see cref="AuditLog"/> once they end.
/// No or a bad credential is UNAUTHENTICATED with one fixed sentence (nothing about why); a role too low is
/// PERMISSION_DENIED naming the role and the method. With <c>Authentication:Mode=none</c> every call runs as
/// <see cref="CallerPrincipal.Anonymous"/>, methods missing from the table included. Registered by <c>AddServiceDefaults</c> inside the metrics interceptor, so
/// refusals are counted.
/// </summary>
public sealed partial class AuthorizationInterceptor(
    IOptions<AuthenticationOptions> options,
    BearerAuthenticator authenticator,
    AuditLog audit,
    ILogger<AuthorizationInterceptor> logger) : Interceptor
{
    public const string UnauthenticatedMessage = "a valid bearer token is required";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        await RunAsync(context, () => continuation(request, context)).ConfigureAwait(false);

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        await RunAsync(context, () => continuation(requestStream, context)).ConfigureAwait(false);

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        await RunAsync(context, async () =>
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        await RunAsync(context, async () =>
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);

    private async Task<T> RunAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        var method = context.Method;
        if (RpcPermissions.IsOpen(method))
        {
            return await call().ConfigureAwait(false);
        }

        var listed = RpcPermissions.Required.TryGetValue(method, out var required);
        if (options.Value.Mode == AuthenticationMode.None && !listed)
        {
            return await call().ConfigureAwait(false);
        }

        if (!listed)
        {
            MethodMissingFromTable(logger, method);
            audit.Write("unknown", PlatformRole.None, method, StatusCode.PermissionDenied);
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{method} has no entry in the permission table"));
        }

        var principal = CallerPrincipal.Anonymous;
        var enforced = options.Value.Mode == AuthenticationMode.Tokens;
        if (enforced)
        {
            var outcome = await authenticator.AuthenticateAsync(context.GetHttpContext(), context.CancellationToken).ConfigureAwait(false);
            if (outcome.Principal is null)
            {
                var code = outcome.Failure == AuthenticationFailure.Unavailable ? StatusCode.Unavailable : StatusCode.Unauthenticated;
                CallRefused(logger, method, outcome.Why);
                if (RpcPermissions.IsAudited(required))
                {
                    audit.Write("unauthenticated", PlatformRole.None, method, code);
                }

                throw new RpcException(new Status(code, code == StatusCode.Unavailable ? outcome.Why : UnauthenticatedMessage));
            }

            principal = outcome.Principal;
        }

        // With authentication off, anonymous may call everything, the service RPCs included.
        if (enforced && !principal.Has(required))
        {
            if (RpcPermissions.IsAudited(required))
            {
                audit.Write(principal.Name, principal.Role, method, StatusCode.PermissionDenied);
            }

            throw new RpcException(new Status(StatusCode.PermissionDenied, $"role {PlatformRoles.Name(principal.Role)} may not call {method}"));
        }

        principal.AttachTo(context);
        if (!RpcPermissions.IsAudited(required))
        {
            return await call().ConfigureAwait(false);
        }

        var status = StatusCode.OK;
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            status = ex.StatusCode;
            throw;
        }
        catch (OperationCanceledException)
        {
            status = StatusCode.Cancelled;
            throw;
        }
        catch
        {
            status = StatusCode.Unknown;
            throw;
        }
        finally
        {
            audit.Write(principal.Name, principal.Role, method, status);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "{Method} has no entry in the permission table (RpcPermissions); the call is refused")]
    private static partial void MethodMissingFromTable(ILogger logger, string method);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "{Method} refused: {Why}")]
    private static partial void CallRefused(ILogger logger, string method, string why);
}
