using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

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

    public static bool IsTransient(Exception exception)
    {
        switch (exception)
        {
            case OperationCanceledException:
                // Our own cancellation is filtered out by the caller; what is left here is an HTTP timeout.
                return true;
            case AmazonServiceException service when service.StatusCode != 0:
                return (int)service.StatusCode >= 500
                    || service.StatusCode == HttpStatusCode.TooManyRequests
                    || (service.ErrorCode is { } code && ThrottlingCodes.Contains(code));
            case HttpRequestException or SocketException or IOException or TimeoutException:
                return true;
        }
        return exception.InnerException is { } inner && IsTransient(inner);
    }
}
