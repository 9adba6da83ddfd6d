namespace Cauchy.Storage;

/// <summary>
/// Where datasets, shards and model weights live: a local directory on one machine, S3/MinIO in a cluster.
/// Keys are relative, '/'-separated paths (see <see cref="ObjectKey"/>). Every write is atomic: a reader sees
/// either the previous object or the complete new one under a key, never a partial one.
/// </summary>
public interface IObjectStore
{
    /// <summary>Streams <paramref name="content"/> to <paramref name="key"/>, replacing any object there.</summary>
    /// <returns>The stored object, with the sha256 of the bytes written.</returns>
    Task<ObjectInfo> PutAsync(string key, Stream content, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores immutable content under "sha256/&lt;hex&gt;", hashing while streaming. Content already stored is
    /// not written again, so the same artifact uploaded twice occupies the store once.
    /// </summary>
    Task<ObjectInfo> PutContentAddressedAsync(Stream content, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens the object for reading from <paramref name="offset"/>, at most <paramref name="length"/> bytes
    /// (to the end when null). An offset equal to the size gives an empty stream; beyond it is an error.
    /// </summary>
    /// <exception cref="ObjectNotFoundException">No object has that key.</exception>
    Task<Stream> OpenReadAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default);

    /// <summary>Size, last modification and, where the store knows it, the sha256 of the object.</summary>
    /// <exception cref="ObjectNotFoundException">No object has that key.</exception>
    Task<ObjectInfo> HeadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Whether an object has that key.</summary>
    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every object whose key starts with <paramref name="prefix"/> (a plain string prefix, "" for all), in
    /// ordinal key order, fetched page by page so a large listing never sits in memory at once.
    /// </summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Removes the object; removing a key that holds nothing succeeds, so retries are safe.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);
}
