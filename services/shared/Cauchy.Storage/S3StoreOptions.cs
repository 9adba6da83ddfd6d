using System.Text;

namespace Cauchy.Storage;

/// <summary>Configuration section "Storage:S3". <see cref="ToString"/> never prints the secret key.</summary>
public sealed record S3StoreOptions
{
    /// <summary>S3 requires every part but the last to be at least this big.</summary>
    public const long MinimumPartSizeBytes = 5L * 1024 * 1024;

    /// <summary>Endpoint such as http://minio:9000 (scheme, host and port, no path); empty means AWS S3 itself.</summary>
    public string? ServiceUrl { get; init; }

    public string Bucket { get; init; } = "cauchy";

    public string? AccessKey { get; init; }

    public string? SecretKey { get; init; }

    public string Region { get; init; } = "us-east-1";

    /// <summary>
    /// Part size of multipart uploads. Objects under <see cref="MinimumPartSizeBytes"/> go up in one PUT, bigger
    /// ones as a multipart upload of parts this size. Each write holds one part in memory, so this bounds a
    /// write's memory, whatever the object's size.
    /// </summary>
    public long PartSizeBytes { get; init; } = 8L * 1024 * 1024;

    /// <summary>
    /// Kept so that existing configuration still binds, but without effect: the Minio client always asks for
    /// pages of 1000 keys (S3's maximum) and offers no setting for it.
    /// </summary>
    public int ListPageSize { get; init; } = 1000;

    /// <summary>Retries of one request after a transient failure (5xx, throttling, connection errors).</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>First retry delay; later ones grow exponentially, with jitter so that clients do not retry in step.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Bucket))
        {
            throw new ArgumentException("Storage:S3:Bucket is required.");
        }
        if (!string.IsNullOrEmpty(ServiceUrl)
            && (!Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var url)
                || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
                || url.AbsolutePath != "/" || url.Query.Length > 0))
        {
            throw new ArgumentException($"Storage:S3:ServiceUrl is '{ServiceUrl}'; it must be http:// or https:// with a host and an optional port, nothing after them.");
        }
        if (PartSizeBytes < MinimumPartSizeBytes || PartSizeBytes > int.MaxValue)
        {
            throw new ArgumentException($"Storage:S3:PartSizeBytes is {PartSizeBytes}; it must be between {MinimumPartSizeBytes} and {int.MaxValue}.");
        }
        if (ListPageSize is < 1 or > 1000)
        {
            throw new ArgumentException($"Storage:S3:ListPageSize is {ListPageSize}; it must be between 1 and 1000.");
        }
        if (MaxRetries < 0)
        {
            throw new ArgumentException($"Storage:S3:MaxRetries is {MaxRetries}; it must not be negative.");
        }
        if (string.IsNullOrEmpty(AccessKey) != string.IsNullOrEmpty(SecretKey))
        {
            throw new ArgumentException("Storage:S3:AccessKey and Storage:S3:SecretKey must be set together.");
        }
    }

    // Records print every property; options end up in logs and exception messages, so the secret is masked here.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"ServiceUrl = {ServiceUrl}, Bucket = {Bucket}, AccessKey = {AccessKey}, ");
        builder.Append($"SecretKey = {(string.IsNullOrEmpty(SecretKey) ? "" : "***")}, Region = {Region}, ");
        builder.Append($"PartSizeBytes = {PartSizeBytes}, ListPageSize = {ListPageSize}, ");
        builder.Append($"MaxRetries = {MaxRetries}, RetryBaseDelay = {RetryBaseDelay}");
        return true;
    }
}
