namespace Cauchy.Platform.Tests.Node;

/// <summary>
/// The answer to grpc.health.v1.Health/Check for one service name as grpc-js saw it: the call's status and, on OK,
/// the serving status.
/// </summary>
public sealed record HealthProbeResult(string Service, int Code, string CodeName, string? Details, string? Status)
{
    public override string ToString() => $"Check(\"{Service}\"): {CodeName} ({Code}) status={Status ?? "-"} details=\"{Details}\"";
}
