using Cauchy.Orchestrator.Auth;
using Cauchy.ServiceDefaults.Security;
using Cauchy.V1;
using Grpc.Core;

namespace Cauchy.Orchestrator.Grpc;

/// <summary>The cauchy.v1.Auth gRPC service: platform tokens (<see cref="ApiTokens"/>). Who may call each RPC is in <see cref="RpcPermissions"/>.</summary>
public sealed class AuthService(ApiTokens tokens) : V1.Auth.AuthBase
{
    public override async Task<CreateTokenResponse> CreateToken(CreateTokenRequest request, ServerCallContext context)
    {
        var expiresIn = request.ExpiresIn?.ToTimeSpan();
        var (token, secret) = await tokens.CreateAsync(request.Name, request.Role, expiresIn, CallerPrincipal.Of(context).Name, context.CancellationToken);
        return new CreateTokenResponse { Token = token, Secret = secret };
    }

    public override async Task<ListTokensResponse> ListTokens(ListTokensRequest request, ServerCallContext context)
    {
        var response = new ListTokensResponse();
        response.Tokens.AddRange(await tokens.ListAsync(context.CancellationToken));
        return response;
    }

    public override async Task<RevokeTokenResponse> RevokeToken(RevokeTokenRequest request, ServerCallContext context) =>
        new() { Token = await tokens.RevokeAsync(request.TokenId, context.CancellationToken) };

    public override async Task<IntrospectTokenResponse> IntrospectToken(IntrospectTokenRequest request, ServerCallContext context)
    {
        var answer = await tokens.IntrospectAsync(request.Secret, context.CancellationToken);
        if (!answer.Active)
        {
            return new IntrospectTokenResponse();
        }

        var response = new IntrospectTokenResponse { Active = true, Principal = answer.Principal, Role = PlatformRoles.Name(answer.Role) };
        if (answer.ExpiresAt is { } expires)
        {
            response.ExpireTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(expires);
        }

        return response;
    }

    public override Task<WhoAmIResponse> WhoAmI(WhoAmIRequest request, ServerCallContext context)
    {
        var caller = CallerPrincipal.Of(context);
        return Task.FromResult(new WhoAmIResponse { Principal = caller.Name, Role = PlatformRoles.Name(caller.Role) });
    }
}
