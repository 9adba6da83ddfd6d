using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Cauchy.ServiceDefaults.Security;

/// <summary>
/// The audit log: one structured line per call that needs more than the viewer role, refused ones included, written
/// when the call has ended, to the logger category <c>Cauchy.Audit</c> at Information. It holds the principal, its
/// role, the method, the status code and the time; never a credential. The routine calls of the platform's own
/// services (a trainer's leases, heartbeats and log lines, several a second across a pool) are written at Debug when
/// they succeed, so the Information stream holds what people did and every refusal; set
/// <c>Logging:LogLevel:Cauchy.Audit=Debug</c> to keep the services' calls too.
/// </summary>
public sealed partial class AuditLog(ILoggerFactory loggerFactory, TimeProvider? timeProvider = null)
{
    public const string Category = "Cauchy.Audit";

    private readonly ILogger _logger = loggerFactory.CreateLogger(Category);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public void Write(string principal, PlatformRole role, string method, StatusCode outcome)
    {
        if (role == PlatformRole.Service && outcome == StatusCode.OK)
        {
            ServiceCallWritten(_logger, principal, PlatformRoles.Name(role), method, GrpcServer.GrpcStatusNames.Of(outcome), _time.GetUtcNow());
            return;
        }

        Written(_logger, principal, PlatformRoles.Name(role), method, GrpcServer.GrpcStatusNames.Of(outcome), _time.GetUtcNow());
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "audit principal={Principal} role={Role} method={Method} outcome={Outcome} time={Time:o}")]
    private static partial void Written(ILogger logger, string principal, string role, string method, string outcome, DateTimeOffset time);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug,
        Message = "audit principal={Principal} role={Role} method={Method} outcome={Outcome} time={Time:o}")]
    private static partial void ServiceCallWritten(ILogger logger, string principal, string role, string method, string outcome, DateTimeOffset time);
}
