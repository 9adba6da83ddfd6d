using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Cauchy.ServiceDefaults.Security;

/// <summary>
/// A service's own bearer credential: <c>cauchy-svc.&lt;service name&gt;.&lt;base64url HMAC-SHA256(secret, service name)&gt;</c>.
/// Every service holding the shared secret can check one locally, without a network call; it stands for the
/// principal <c>service:&lt;name&gt;</c> with the role <see cref="PlatformRole.Service"/>.
/// </summary>
public static class ServiceCredential
{
    public const string Prefix = "cauchy-svc.";

    public static string Create(byte[] secret, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        if (serviceName.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException($"a service name may not contain '.': '{serviceName}'", nameof(serviceName));
        }

        return Prefix + serviceName + "." + WebEncoders.Base64UrlEncode(Sign(secret, serviceName));
    }

    /// <summary>The service name the credential was made for, when its signature matches <paramref name="secret"/>.</summary>
    public static bool TryVerify(byte[] secret, string credential, out string serviceName)
    {
        ArgumentNullException.ThrowIfNull(secret);
        serviceName = "";
        if (credential is null || !credential.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = credential.AsSpan(Prefix.Length);
        var dot = rest.IndexOf('.');
        if (dot <= 0)
        {
            return false;
        }

        var name = rest[..dot].ToString();
        byte[] presented;
        try
        {
            presented = WebEncoders.Base64UrlDecode(rest[(dot + 1)..].ToString());
        }
        catch (FormatException)
        {
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(presented, Sign(secret, name)))
        {
            return false;
        }

        serviceName = name;
        return true;
    }

    private static byte[] Sign(byte[] secret, string serviceName) =>
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(serviceName));
}
