using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Cauchy.Storage;

/// <summary>
/// The embedded object store: one file per object under a root directory. A write goes to a temporary file in
/// "&lt;root&gt;/.tmp", is flushed to disk, then renamed onto its final name; rename within one file system is
/// atomic, so readers see the old object or the new one, never a partial file.
/// </summary>
public sealed class LocalObjectStore : IObjectStore
{
    private const int CopyBufferSize = 1024 * 1024;

    private readonly string _root;
    private readonly string _temporaryFolder;

    public LocalObjectStore(LocalStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Root))
        {
            throw new ArgumentException("Storage:Local:Root is required.", nameof(options));
        }
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.Root));
        _temporaryFolder = Path.Combine(_root, ObjectKey.ReservedTemporaryFolder);
        Directory.CreateDirectory(_temporaryFolder);
        SweepTemporaryFiles(options.SweepTemporaryFilesOlderThan);
    }

    /// <summary>Absolute path of the root directory.</summary>
    public string Root => _root;

    /// <summary>
    /// Deletes temporary files of writes last touched longer ago than <paramref name="olderThan"/>: what a
    /// crashed process left behind. Returns how many it removed.
    /// </summary>
    public int SweepTemporaryFiles(TimeSpan olderThan)
    {
        var cutoff = DateTime.UtcNow - olderThan;
        var removed = 0;
        foreach (var file in new DirectoryInfo(_temporaryFolder).EnumerateFiles())
        {
            if (file.LastWriteTimeUtc <= cutoff)
            {
                try
                {
                    file.Delete();
                    removed++;
                }
                catch (IOException)
                {
                    // Another process is still using it: it was not a leftover after all.
                }
            }
        }
        return removed;
    }

    public async Task<ObjectInfo> PutAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        var (temporary, size, sha256) = await WriteTemporaryAsync(content, cancellationToken);
        var path = PathOf(key);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        return new ObjectInfo(key, size, sha256, File.GetLastWriteTimeUtc(path));
    }

    public async Task<ObjectInfo> PutContentAddressedAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var (temporary, size, sha256) = await WriteTemporaryAsync(content, cancellationToken);
        var key = ObjectKey.ForSha256(sha256);
        var path = PathOf(key);
        try
        {
            if (File.Exists(path))
            {
                // Same hash, same bytes: the stored copy stays, so its timestamp and open readers are untouched.
                File.Delete(temporary);
            }
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.Move(temporary, path, overwrite: true);
            }
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        return new ObjectInfo(key, size, sha256, File.GetLastWriteTimeUtc(path));
    }

    public Task<Stream> OpenReadAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "A read length must not be negative.");
        }
        FileStream file;
        try
        {
            // FileShare.Delete: a reader must not stop a writer from renaming a new version over this one.
            file = new FileStream(PathOf(key), new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            });
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException || IsDirectory(key))
        {
            throw new ObjectNotFoundException(key, exception);
        }
        if (offset > file.Length)
        {
            var size = file.Length;
            file.Dispose();
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"Object '{key}' has {size} bytes; cannot read from offset {offset}.");
        }
        file.Seek(offset, SeekOrigin.Begin);
        Stream stream = length is { } limit ? new BoundedReadStream(file, limit) : file;
        return Task.FromResult(stream);
    }

    public Task<ObjectInfo> HeadAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        var file = new FileInfo(PathOf(key));
        if (!file.Exists)
        {
            throw new ObjectNotFoundException(key);
        }
        return Task.FromResult(InfoOf(key, file));
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        return Task.FromResult(File.Exists(PathOf(key)));
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectKey.ValidatePrefix(prefix);
        // Only the folder the prefix names is walked; keys are sorted because file systems list in any order.
        var lastSlash = prefix.LastIndexOf('/');
        var start = lastSlash < 0 ? _root : PathOf(prefix[..lastSlash]);
        if (!Directory.Exists(start))
        {
            yield break;
        }
        var keys = new List<string>();
        foreach (var path in Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories))
        {
            var key = Path.GetRelativePath(_root, path).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal)
                && !key.StartsWith(ObjectKey.ReservedTemporaryFolder + "/", StringComparison.Ordinal))
            {
                keys.Add(key);
            }
        }
        keys.Sort(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var file = new FileInfo(PathOf(key));
            if (file.Exists)
            {
                yield return InfoOf(key, file);
            }
            await Task.Yield();
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        var path = PathOf(key);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was ever stored under this folder: already deleted.
        }
        return Task.CompletedTask;
    }

    private static ObjectInfo InfoOf(string key, FileInfo file) =>
        new(key, file.Length, ObjectKey.Sha256Of(key), new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));

    private bool IsDirectory(string key) => Directory.Exists(PathOf(key));

    /// <summary>
    /// Maps a validated key to its file. The containment check repeats what <see cref="ObjectKey.Validate"/>
    /// guarantees, so a future change to the key rules cannot open a path traversal.
    /// </summary>
    private string PathOf(string key)
    {
        var path = Path.GetFullPath(Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar)));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Invalid object key '{key}': it resolves outside the store's root.", nameof(key));
        }
        return path;
    }

    private async Task<(string Path, long Size, string Sha256)> WriteTemporaryAsync(Stream content, CancellationToken cancellationToken)
    {
        var temporary = Path.Combine(_temporaryFolder, $"{Guid.NewGuid():N}.part");
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            await using (var file = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
                BufferSize = 0,
            }))
            {
                var buffer = new byte[CopyBufferSize];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    size += read;
                }
                // The rename must not reach the disk before the data does, or a power cut leaves an empty file under the final name.
                file.Flush(flushToDisk: true);
            }
            return (temporary, size, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
