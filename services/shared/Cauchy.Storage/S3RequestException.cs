using System.Net;

namespace Cauchy.Storage;

/// <summary>
/// An S3 request the server refused or failed: the HTTP status, S3's error code where the answer had a body
/// (a HEAD answer never has one) and a message that says what to fix. Raised the same way whichever client
/// library sent the request, so callers and the retry policy see one kind of failure.
/// </summary>
public sealed class S3RequestException(string message, HttpStatusCode statusCode, string? errorCode, string? bucket, string? requestId = null)
    : Exception(message)
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>S3's error code ("NoSuchBucket", "SignatureDoesNotMatch", "SlowDown" …), or null for a body-less answer.</summary>
    public string? ErrorCode { get; } = errorCode;

    /// <summary>The bucket the request named, or null when it named none.</summary>
    public string? Bucket { get; } = bucket;

    public string? RequestId { get; } = requestId;

    /// <summary>Whether the server said the bucket does not exist.</summary>
    public bool IsMissingBucket => ErrorCode == "NoSuchBucket";

    /// <summary>Whether the server refused the credentials themselves, as opposed to what they may do.</summary>
    public bool IsBadCredentials => ErrorCode is "InvalidAccessKeyId" or "SignatureDoesNotMatch";
}
