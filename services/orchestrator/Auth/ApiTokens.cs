using System.Security.Cryptography;
using Cauchy.Domain;
using Cauchy.Orchestrator.Data;
using Cauchy.ServiceDefaults.Security;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Orchestrator.Auth;

/// <summary>
/// Platform tokens: created with a random secret that is returned once and stored only as its SHA-256, listed without
/// it, revoked, and checked (<see cref="IntrospectAsync"/>) for this service and, through Auth.IntrospectToken, for
/// the others.
/// </summary>
public sealed class ApiTokens(IDbContextFactory<OrchestratorDbContext> factory, TimeProvider time)
{
    public const int MaxNameLength = 100;

    /// <summary>How stale <see cref="ApiTokenEntity.LastUsedAt"/> may get before a check writes it again.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<(ApiToken Token, string Secret)> CreateAsync(string name, string role, TimeSpan? expiresIn, string createdBy, CancellationToken cancellationToken)
    {
        RequireName(name);
        if (!PlatformRoles.TryParseHuman(role, out var parsed))
        {
            throw DomainException.InvalidArgument("role", $"is '{role}'; expected one of {string.Join(", ", PlatformRoles.Human.Select(PlatformRoles.Name))}");
        }

        if (expiresIn is { } lifetime && lifetime < TimeSpan.Zero)
        {
            throw DomainException.InvalidArgument("expires_in", "must not be negative (zero or unset means the token does not expire)");
        }

        var secret = PlatformToken.NewSecret();
        var now = Now;
        var entity = new ApiTokenEntity
        {
            Id = Guid.CreateVersion7().ToString("N"),
            Name = name,
            Role = PlatformRoles.Name(parsed),
            SecretHash = PlatformToken.Hash(secret),
            CreatedAt = now,
            ExpiresAt = expiresIn is { } l && l > TimeSpan.Zero ? now + l : null,
            CreatedBy = createdBy,
        };
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        db.ApiTokens.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        return (ToProto(entity), secret);
    }

    public async Task<IReadOnlyList<ApiToken>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var tokens = await db.ApiTokens.AsNoTracking().ToListAsync(cancellationToken);
        return [.. tokens.OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Id, StringComparer.Ordinal).Select(ToProto)];
    }

    public async Task<ApiToken> RevokeAsync(string tokenId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(tokenId))
        {
            throw DomainException.InvalidArgument("token_id", "is required");
        }

        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var entity = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == tokenId, cancellationToken)
            ?? throw DomainException.NotFound($"token '{tokenId}' does not exist");
        if (entity.RevokedAt is null)
        {
            entity.RevokedAt = Now;
            await db.SaveChangesAsync(cancellationToken);
        }

        return ToProto(entity);
    }

    /// <summary>Whether the secret is a token that is neither revoked nor expired, and whose it is.</summary>
    public async Task<TokenIntrospection> IntrospectAsync(string secret, CancellationToken cancellationToken)
    {
        if (!PlatformToken.LooksLikeOne(secret))
        {
            return TokenIntrospection.Inactive;
        }

        var hash = PlatformToken.Hash(secret);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var entity = await db.ApiTokens.SingleOrDefaultAsync(t => t.SecretHash == hash, cancellationToken);
        var now = Now;
        if (entity is null
            || !CryptographicOperations.FixedTimeEquals(entity.SecretHash, hash)
            || entity.RevokedAt is not null
            || entity.ExpiresAt is { } expires && expires <= now
            || !PlatformRoles.TryParseHuman(entity.Role, out var role))
        {
            return TokenIntrospection.Inactive;
        }

        if (entity.LastUsedAt is not { } used || now - used >= LastUsedResolution)
        {
            entity.LastUsedAt = now;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Only the last-used time was lost (a concurrent writer held the database); the answer stands.
            }
        }

        return new TokenIntrospection(true, "token:" + entity.Name, role, entity.ExpiresAt is { } e ? new DateTimeOffset(e, TimeSpan.Zero) : null);
    }

    /// <summary>Registers an admin token with a secret made elsewhere (a mounted Kubernetes Secret), unless its hash is already known.</summary>
    public async Task<bool> RegisterAsync(string name, string secret, CancellationToken cancellationToken)
    {
        var hash = PlatformToken.Hash(secret);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        if (await db.ApiTokens.AnyAsync(t => t.SecretHash == hash, cancellationToken))
        {
            return false;
        }

        db.ApiTokens.Add(new ApiTokenEntity
        {
            Id = Guid.CreateVersion7().ToString("N"),
            Name = name,
            Role = PlatformRoles.Name(PlatformRole.Admin),
            SecretHash = hash,
            CreatedAt = Now,
            CreatedBy = "bootstrap",
        });
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    private static void RequireName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw DomainException.InvalidArgument("name", "is required");
        }

        if (name.Length > MaxNameLength)
        {
            throw DomainException.InvalidArgument("name", $"is {name.Length} characters long; at most {MaxNameLength} are allowed");
        }

        if (name.Any(char.IsControl))
        {
            throw DomainException.InvalidArgument("name", "contains a control character");
        }
    }

    private static ApiToken ToProto(ApiTokenEntity entity)
    {
        var token = new ApiToken
        {
            TokenId = entity.Id,
            Name = entity.Name,
            Role = entity.Role,
            CreateTime = Timestamp.FromDateTime(DateTime.SpecifyKind(entity.CreatedAt, DateTimeKind.Utc)),
            CreatedBy = entity.CreatedBy,
        };
        if (entity.ExpiresAt is { } expires)
        {
            token.ExpireTime = Timestamp.FromDateTime(DateTime.SpecifyKind(expires, DateTimeKind.Utc));
        }

        if (entity.LastUsedAt is { } used)
        {
            token.LastUsedTime = Timestamp.FromDateTime(DateTime.SpecifyKind(used, DateTimeKind.Utc));
        }

        if (entity.RevokedAt is { } revoked)
        {
            token.RevokeTime = Timestamp.FromDateTime(DateTime.SpecifyKind(revoked, DateTimeKind.Utc));
        }

        return token;
    }
}
