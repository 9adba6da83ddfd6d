using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Cauchy.Grpc.AspNetCore.Internal;

/// <summary>
/// Every log line the server writes. Levels follow who is at fault: a handler bug is an error, a client's
/// mistake or a status a handler chose is information, and routine endings (cancel, deadline) are debug.
/// </summary>
internal static partial class GrpcServerLog
{
    [LoggerMessage(1, LogLevel.Error, "Error when executing service method '{Method}'.")]
    public static partial void HandlerFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(2, LogLevel.Information, "Call to '{Method}' ended with status {StatusCode}: {Detail}")]
    public static partial void CallEndedWithStatus(ILogger logger, string method, StatusCode statusCode, string detail);

    [LoggerMessage(3, LogLevel.Debug, "Call to '{Method}' was aborted by the client.")]
    public static partial void CallAborted(ILogger logger, string method, Exception? exception);

    [LoggerMessage(4, LogLevel.Debug, "Call to '{Method}' exceeded its deadline of {Timeout}.")]
    public static partial void DeadlineExceeded(ILogger logger, string method, TimeSpan timeout);

    [LoggerMessage(5, LogLevel.Debug, "Handler of '{Method}' ended after the deadline had completed the call.")]
    public static partial void HandlerEndedAfterDeadline(ILogger logger, string method, Exception? exception);

    [LoggerMessage(6, LogLevel.Information, "Rejected request to '{Path}' with HTTP {HttpStatus}: {Reason}")]
    public static partial void RequestRejected(ILogger logger, string path, int httpStatus, string reason);

    [LoggerMessage(7, LogLevel.Information, "Unimplemented call to '{Path}': {Reason}")]
    public static partial void Unimplemented(ILogger logger, string path, string reason);

    [LoggerMessage(8, LogLevel.Debug, "Ignored invalid grpc-timeout value '{Value}'.")]
    public static partial void InvalidTimeout(ILogger logger, string value);

    [LoggerMessage(9, LogLevel.Debug, "Ending the deadline-exceeded response of '{Method}' failed.")]
    public static partial void DeadlineResponseFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(10, LogLevel.Error, "The response of '{Method}' was reset because a message was only partly written.")]
    public static partial void ResponseCorrupted(ILogger logger, string method);
}
