namespace Cauchy.Registry.Domain;

/// <summary>The uploaded bytes do not match the size or sha256 the header announced.</summary>
public sealed class ArtifactMismatchException(string message) : Exception(message);
