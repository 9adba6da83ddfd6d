namespace Cauchy.Datasets.Images;

/// <summary>The bytes are not a complete, decodable image; the message says why.</summary>
public sealed class CorruptImageException(string message) : Exception(message);
