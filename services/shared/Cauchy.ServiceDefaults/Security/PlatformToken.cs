using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Cauchy.ServiceDefaults.Security;

/// <summary>
/// Platform token secrets: <c>cauchy_</c> followed by 43 base64url characters (32 random bytes). Only their SHA-256 is
/// stored: a secret with 256 bits of entropy cannot be guessed from its hash, so no slow hash is needed.
/// </summary>
public static class PlatformToken
{
    public const string Prefix = "cauchy_";

    public static string NewSecret() => Prefix + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static bool LooksLikeOne(string credential) =>
        credential.StartsWith(Prefix, StringComparison.Ordinal) && credential.Length > Prefix.Length + 26;

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
