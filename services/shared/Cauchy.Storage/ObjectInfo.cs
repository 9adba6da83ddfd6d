namespace Cauchy.Storage;

/// <summary>What a store knows about one object.</summary>
/// <param name="Sha256">Lower-case hex sha256 of the contents, or null where the store does not know it.</param>
public sealed record ObjectInfo(string Key, long Size, string? Sha256, DateTimeOffset LastModified);
