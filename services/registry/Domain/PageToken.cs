using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Cauchy.Registry.Domain;

/// <summary>
/// Opaque page tokens: the position after the last item returned (keyset pagination, so pages stay consistent while rows
/// are added) and a fingerprint of the request's filters, so that a token used with other filters is refused.
/// </summary>
public static class PageToken
{
    private sealed record Payload(string F, string[] C);

    public static string Encode(string filters, params string[] cursor) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new Payload(Fingerprint(filters), cursor)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The cursor of <paramref name="token"/>, or null for the first page.</summary>
    public static string[]? Decode(string token, string filters, int cursorLength)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        Payload? payload;
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 += new string('=', (4 - (base64.Length % 4)) % 4);
            payload = JsonSerializer.Deserialize<Payload>(Convert.FromBase64String(base64));
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw RegistryErrors.InvalidArgument("page_token", "is not a token this service issued.");
        }
        if (payload?.C is null || payload.C.Length != cursorLength)
        {
            throw RegistryErrors.InvalidArgument("page_token", "is not a token this service issued.");
        }
        if (payload.F != Fingerprint(filters))
        {
            throw RegistryErrors.InvalidArgument("page_token", "was issued for a request with other filters; send the same filters as the first call.");
        }
        return payload.C;
    }

    private static string Fingerprint(string filters) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(filters)))[..16];
}
