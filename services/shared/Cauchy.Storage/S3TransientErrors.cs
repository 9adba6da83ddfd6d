using System.Net;
using System.Net.Sockets;

namespace Cauchy.Storage;

/// <summary>
/// Which S3 failures are worth retrying: the server's (5xx), throttling (429, SlowDown) and the network's
/// (connection refused or reset, timeouts). A 4xx is the caller's mistake or a missing object; retrying it
/// only delays the error.
/// </summary>
public static class S3TransientErrors
{
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "SlowDown", "Throttling", "ThrottlingException", "RequestThrottled", "TooManyRequests", "RequestLimitExceeded",
    };

    public static bool IsTransient(HttpStatusCode status, string? errorCode) =>
        (int)status >= 500
        || status == HttpStatusCode.TooManyRequests
        || (errorCode is not null && ThrottlingCodes.Contains(errorCode));

    public static bool IsTransient(Exception exception)
    {
        switch (exception)
        {
            case OperationCanceledException:
                // Our own cancellation is filtered out by the caller; what is left here is an HTTP timeout.
                return true;
            case S3RequestException request:
                return IsTransient(request.StatusCode, request.ErrorCode);
            case HttpRequestException or SocketException or IOException or TimeoutException:
                return true;
        }
        return exception.InnerException is { } inner && IsTransient(inner);
    }
}
