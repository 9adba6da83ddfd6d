namespace Cauchy.Platform.Tests.Node;

/// <summary>What one health probe run printed: one result per service name asked, in order.</summary>
public sealed record HealthProbeResults(List<HealthProbeResult> Results);
