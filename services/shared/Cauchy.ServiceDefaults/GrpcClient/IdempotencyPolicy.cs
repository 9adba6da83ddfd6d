using Grpc.Core;

namespace Cauchy.ServiceDefaults.GrpcClient;

/// <summary>
/// Decides which calls may be sent again after UNAVAILABLE. A unary method is idempotent when it is listed in
/// <see cref="GrpcResilienceOptions.IdempotentMethods"/>, or when its name starts with one of
/// <see cref="GrpcResilienceOptions.IdempotentPrefixes"/> as a whole word (<c>GetDataset</c>, <c>ListJobs</c>;
/// not <c>Getaway</c>) — unless <see cref="GrpcResilienceOptions.NonIdempotentMethods"/> lists it, which always
/// wins. Streaming methods are never retried: messages already exchanged cannot be taken back.
/// </summary>
public sealed class IdempotencyPolicy
{
    private readonly HashSet<string> _idempotent;
    private readonly HashSet<string> _nonIdempotent;
    private readonly IReadOnlyList<string> _prefixes;

    public IdempotencyPolicy(GrpcResilienceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _idempotent = new HashSet<string>(options.IdempotentMethods.Select(Normalise), StringComparer.Ordinal);
        _nonIdempotent = new HashSet<string>(options.NonIdempotentMethods.Select(Normalise), StringComparer.Ordinal);
        _prefixes = [.. options.IdempotentPrefixes.Where(static p => p.Length > 0)];
    }

    public bool IsIdempotent(IMethod method)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.Type != MethodType.Unary || _nonIdempotent.Contains(method.FullName))
        {
            return false;
        }

        if (_idempotent.Contains(method.FullName))
        {
            return true;
        }

        foreach (var prefix in _prefixes)
        {
            if (method.Name.StartsWith(prefix, StringComparison.Ordinal)
                && (method.Name.Length == prefix.Length || !char.IsLower(method.Name[prefix.Length])))
            {
                return true;
            }
        }

        return false;
    }

    private static string Normalise(string fullName) => fullName.StartsWith('/') ? fullName : "/" + fullName;
}
