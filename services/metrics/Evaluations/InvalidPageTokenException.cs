namespace Cauchy.Metrics.Evaluations;

/// <summary>A page token that this service did not issue, or that was altered.</summary>
public sealed class InvalidPageTokenException(string message) : Exception(message);
