using System.Text;
using Cauchy.Domain;

namespace Cauchy.Datasets.Domain;

/// <summary>
/// Opaque page tokens: the position to continue from plus a fingerprint of the request's other fields, so that a
/// token used with a different request is INVALID_ARGUMENT (common.proto, "Pagination").
/// </summary>
public static class PageToken
{
    public static string Encode(string position, string fingerprint) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{fingerprint}\n{position}"));

    /// <summary>The position of a token, or null for an empty token.</summary>
    public static string? Decode(string token, string fingerprint)
    {
        if (token.Length == 0)
        {
            return null;
        }
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var newline = text.IndexOf('\n');
            if (newline >= 0 && text[..newline] == fingerprint)
            {
                return text[(newline + 1)..];
            }
        }
        catch (FormatException)
        {
        }
        throw DomainException.InvalidArgument("page_token is not a token of this request (the other fields must not change between pages)");
    }

    /// <summary>page_size with the defaults of common.proto: 0 means 50, above 1000 means 1000, negative is an error.</summary>
    public static int Size(int pageSize)
    {
        if (pageSize < 0)
        {
            throw DomainException.InvalidArgument($"page_size is {pageSize}; it must not be negative");
        }
        return pageSize == 0 ? 50 : Math.Min(pageSize, 1000);
    }
}
