using Microsoft.Extensions.Options;

namespace Cauchy.ServiceDefaults.Security;

/// <summary>Refuses to start with authentication on and no usable service secret, naming the key.</summary>
public sealed class AuthenticationOptionsValidator : IValidateOptions<AuthenticationOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthenticationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        try
        {
            var secret = ServiceSecret.Read(options);
            if (secret is null && options.Mode == AuthenticationMode.Tokens)
            {
                failures.Add("Authentication:ServiceSecret (or Authentication:ServiceSecretFile) must be set when Authentication:Mode is 'tokens': "
                    + $"a random secret of at least {AuthenticationOptions.MinimumServiceSecretBytes} bytes shared by the platform's services "
                    + "(scripts/up.sh and the Helm chart generate one; Authentication:Mode=none turns authentication off, for tests only).");
            }
            else if (secret is not null && secret.Length < AuthenticationOptions.MinimumServiceSecretBytes)
            {
                failures.Add($"Authentication:ServiceSecret is {secret.Length} bytes; it must be at least {AuthenticationOptions.MinimumServiceSecretBytes}.");
            }
        }
        catch (IOException ex)
        {
            failures.Add($"Authentication:ServiceSecretFile '{options.ServiceSecretFile}' cannot be read: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            failures.Add($"Authentication:ServiceSecretFile '{options.ServiceSecretFile}' cannot be read: {ex.Message}");
        }

        if (options.IntrospectionCacheSeconds < 0 || options.NegativeIntrospectionCacheSeconds < 0)
        {
            failures.Add("Authentication:IntrospectionCacheSeconds and Authentication:NegativeIntrospectionCacheSeconds must not be negative.");
        }

        if (options.IntrospectionCacheEntries < 1)
        {
            failures.Add("Authentication:IntrospectionCacheEntries must be at least 1.");
        }

        if (options.Jwt.Enabled && string.IsNullOrWhiteSpace(options.Jwt.Audience))
        {
            failures.Add("Authentication:Jwt:Audience must be set when Authentication:Jwt:Authority is.");
        }

        if (options.Jwt.Enabled && string.IsNullOrWhiteSpace(options.Jwt.RoleClaim))
        {
            failures.Add("Authentication:Jwt:RoleClaim must not be empty.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
