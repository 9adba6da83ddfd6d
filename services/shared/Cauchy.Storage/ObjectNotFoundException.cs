namespace Cauchy.Storage;

/// <summary>A read or head named a key that holds no object; callers map it to NOT_FOUND.</summary>
public sealed class ObjectNotFoundException(string key, Exception? innerException = null)
    : Exception($"Object '{key}' does not exist in the object store.", innerException)
{
    public string Key { get; } = key;
}
