using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Cauchy.Domain;

/// <summary>
/// Pagination as common.proto describes it ("Pagination"). A token is opaque to the caller: it carries the position
/// after the last item returned (keyset pagination, so pages stay consistent while rows are added) and a fingerprint of
/// the request's other fields, so that a token sent with other fields is INVALID_ARGUMENT naming page_token.
/// </summary>
public static class PageToken
{
    /// <summary>The page size when a request leaves page_size at 0.</summary>
    public const int DefaultSize = 50;

    /// <summary>The largest page any list call returns; a larger page_size is clamped to it (common.proto).</summary>
    public const int MaxSize = 1000;

    private sealed record Payload(string F, string[] C);

    /// <summary>
    /// page_size with common.proto's defaults: 0 means <see cref="DefaultSize"/>, above <see cref="MaxSize"/> means
    /// <see cref="MaxSize"/>, negative is INVALID_ARGUMENT naming <paramref name="field"/>.
    /// </summary>
    public static int Size(int pageSize, string field = "page_size") => pageSize switch
    {
        < 0 => throw DomainException.InvalidArgument(field, $"{pageSize} is negative."),
        0 => DefaultSize,
        _ => Math.Min(pageSize, MaxSize),
    };

    /// <summary>A token for the page after <paramref name="position"/> of a request whose other fields are <paramref name="filters"/>.</summary>
    public static string Encode(string filters, params string[] position) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new Payload(Fingerprint(filters), position)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// The position in <paramref name="token"/> (<paramref name="positionLength"/> parts), or null for an empty token
    /// (the first page). A token this code did not issue, or one issued for other <paramref name="filters"/>, is
    /// INVALID_ARGUMENT naming <paramref name="field"/>.
    /// </summary>
    public static string[]? Decode(string? token, string filters, int positionLength, string field = "page_token")
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
            throw NotIssued(field);
        }
        if (payload?.F is null || payload.C is null || payload.C.Length != positionLength || payload.C.Any(c => c is null))
        {
            throw NotIssued(field);
        }
        if (payload.F != Fingerprint(filters))
        {
            throw DomainException.InvalidArgument(field,
                "was issued for a request with other fields; repeat them unchanged or start again without a token.");
        }
        return payload.C;
    }

    /// <summary>The refusal of a token that decodes but whose position does not parse.</summary>
    public static DomainException NotIssued(string field = "page_token") =>
        DomainException.InvalidArgument(field, "is not a token this service issued; start again without one.");

    private static string Fingerprint(string filters) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(filters)))[..16];
}
