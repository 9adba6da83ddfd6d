namespace Cauchy.Storage;

/// <summary>The keys both S3 clients sign with, resolved once so that they cannot disagree.</summary>
internal sealed record S3Credentials(string AccessKey, string SecretKey, string? SessionToken)
{
    /// <summary>
    /// Storage:S3:AccessKey and SecretKey when set, else AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
    /// AWS_SESSION_TOKEN from the environment.
    /// </summary>
    public static S3Credentials Resolve(S3StoreOptions options)
    {
        if (!string.IsNullOrEmpty(options.AccessKey) && !string.IsNullOrEmpty(options.SecretKey))
        {
            return new S3Credentials(options.AccessKey, options.SecretKey, null);
        }
        var accessKey = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
        var secretKey = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
        if (string.IsNullOrEmpty(accessKey) || string.IsNullOrEmpty(secretKey))
        {
            throw new InvalidOperationException(
                "No S3 credentials: set Storage:S3:AccessKey and Storage:S3:SecretKey, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.");
        }
        return new S3Credentials(accessKey, secretKey, Environment.GetEnvironmentVariable("AWS_SESSION_TOKEN"));
    }

    // Records print every property; this one ends up in logs, so the secret and the token stay out.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"AccessKey = {AccessKey}, SecretKey = ***");
        return true;
    }
}
