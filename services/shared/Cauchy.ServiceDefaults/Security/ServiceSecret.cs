using System.Text;
using Microsoft.Extensions.Options;

namespace Cauchy.ServiceDefaults.Security;

/// <summary>
/// The secret the platform's services share (<c>Authentication:ServiceSecret</c>, or the file
/// <c>Authentication:ServiceSecretFile</c> names, trailing newline ignored), read once. Null when neither is set.
/// </summary>
public sealed class ServiceSecret(IOptions<AuthenticationOptions> options)
{
    private readonly Lazy<byte[]?> _key = new(() => Read(options.Value));

    public byte[]? Key => _key.Value;

    public static byte[]? Read(AuthenticationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var text = !string.IsNullOrEmpty(options.ServiceSecret) ? options.ServiceSecret
            : !string.IsNullOrWhiteSpace(options.ServiceSecretFile) ? File.ReadAllText(options.ServiceSecretFile)
            : null;
        text = text?.TrimEnd('\r', '\n');
        return string.IsNullOrEmpty(text) ? null : Encoding.UTF8.GetBytes(text);
    }
}
