namespace Cauchy.ServiceDefaults.Security;

/// <summary>A platform token could not be checked (the orchestrator is unreachable and no answer is cached).</summary>
public sealed class TokenCheckUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);
