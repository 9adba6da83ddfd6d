using Cauchy.ServiceDefaults.GrpcClient;
using Cauchy.V1;
using Grpc.Core;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cauchy.ServiceDefaults.Security;

/// <summary>
/// Asks the orchestrator (<c>Auth.IntrospectToken</c> at <c>Services:Jobs:Address</c>, with this service's own
/// credential) about a platform token and keeps the answer in a bounded cache: "valid" for
/// <c>Authentication:IntrospectionCacheSeconds</c> (so a revocation is effective here within it), "invalid" for
/// <c>Authentication:NegativeIntrospectionCacheSeconds</c>. When the orchestrator cannot be reached, a cached answer
/// of either kind is used for as long again; otherwise the check is unavailable.
/// </summary>
public sealed class GrpcTokenIntrospector(
    GrpcServiceClientFactory clients,
    IOptions<AuthenticationOptions> options,
    ILogger<GrpcTokenIntrospector> logger,
    TimeProvider? timeProvider = null) : ITokenIntrospector, IDisposable
{
    /// <summary>The peer name the orchestrator is configured under (<c>Services:Jobs:Address</c>).</summary>
    public const string OrchestratorServiceName = "Jobs";

    private readonly MemoryCache _cache = new(new MemoryCacheOptions
    {
        SizeLimit = options.Value.IntrospectionCacheEntries,
    });

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lazy<Auth.AuthClient> _client = new(() => clients.CreateClient<Auth.AuthClient>(OrchestratorServiceName));

    public async Task<TokenIntrospection> IntrospectAsync(string secret, CancellationToken cancellationToken)
    {
        var key = Convert.ToHexString(PlatformToken.Hash(secret));
        var now = _time.GetUtcNow();
        var cached = _cache.Get<CachedAnswer>(key);
        if (cached is not null && now < cached.FreshUntil)
        {
            return Expired(cached.Answer, now);
        }

        IntrospectTokenResponse response;
        try
        {
            response = await _client.Value.IntrospectTokenAsync(
                new IntrospectTokenRequest { Secret = secret },
                deadline: DateTime.UtcNow.AddSeconds(10),
                cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is RpcException { StatusCode: StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Unknown or StatusCode.Internal or StatusCode.Unauthenticated or StatusCode.PermissionDenied } or InvalidOperationException)
        {
            if (cached is not null && now < cached.UsableUntil)
            {
                logger.LogWarning("The orchestrator cannot check a platform token ({Reason}); using the answer cached at {CachedAt:o}.", Reason(ex), cached.CachedAt);
                return Expired(cached.Answer, now);
            }

            logger.LogWarning("The orchestrator cannot check a platform token ({Reason}) and no answer is cached.", Reason(ex));
            throw new TokenCheckUnavailableException("the token cannot be checked right now: the orchestrator is unreachable; retry later", ex);
        }

        var answer = response.Active && PlatformRoles.TryParseHuman(response.Role, out var role)
            ? new TokenIntrospection(true, response.Principal, role, response.ExpireTime?.ToDateTimeOffset())
            : TokenIntrospection.Inactive;
        var ttl = TimeSpan.FromSeconds(answer.Active ? options.Value.IntrospectionCacheSeconds : options.Value.NegativeIntrospectionCacheSeconds);
        if (ttl > TimeSpan.Zero)
        {
            _cache.Set(key, new CachedAnswer(answer, now, now + ttl, now + ttl + ttl), new MemoryCacheEntryOptions
            {
                Size = 1,
                AbsoluteExpirationRelativeToNow = ttl + ttl,
            });
        }

        return answer;
    }

    public void Dispose() => _cache.Dispose();

    /// <summary>A cached "valid" stops being valid at the token's own expiry, whatever the cache says.</summary>
    private static TokenIntrospection Expired(TokenIntrospection answer, DateTimeOffset now) =>
        answer.Active && answer.ExpiresAt is { } expires && expires <= now ? TokenIntrospection.Inactive : answer;

    private static string Reason(Exception ex) => ex is RpcException rpc ? rpc.StatusCode.ToString() : ex.Message;

    private sealed record CachedAnswer(TokenIntrospection Answer, DateTimeOffset CachedAt, DateTimeOffset FreshUntil, DateTimeOffset UsableUntil);
}
