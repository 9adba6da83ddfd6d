namespace Cauchy.Platform.Tests.Node;

/// <summary>The answer to grpc.health.v1.Health/Check as grpc-js saw it: the call's status and, on OK, the serving status.</summary>
public sealed record HealthProbeResult(int Code, string CodeName, string? Details, string? Status)
{
    public override string ToString() => $"{CodeName} ({Code}) status={Status ?? "-"} details=\"{Details}\"";
}
