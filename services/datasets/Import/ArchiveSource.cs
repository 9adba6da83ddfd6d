using System.Security.Cryptography;
using Cauchy.Datasets.Domain;
using Cauchy.Domain;
using Cauchy.Storage;
using Cauchy.V1;
using Microsoft.Extensions.Options;

namespace Cauchy.Datasets.Import;

/// <summary>
/// Brings an import's archive to a local file, streaming: the uploaded chunks (checked against the header's size and
/// sha256), an object of this service's store ("s3://&lt;bucket&gt;/&lt;key&gt;"), or a local file under one of the
/// allowed roots ("file:///path"). The archive is never held in memory.
/// </summary>
public sealed class ArchiveSource(IObjectStore store, StorageOptions storage, IOptions<DatasetsOptions> datasetsOptions)
{
    private readonly DatasetsOptions _options = datasetsOptions.Value;

    public async Task SpoolAsync(ImportDatasetVersionHeader header, IAsyncEnumerable<ReadOnlyMemory<byte>> chunks, string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        switch (header.SourceCase)
        {
            case ImportDatasetVersionHeader.SourceOneofCase.Upload:
                await SpoolUploadAsync(header.Upload, chunks, file, cancellationToken);
                break;
            case ImportDatasetVersionHeader.SourceOneofCase.SourceUri:
                await using (var source = await OpenUriAsync(header.SourceUri, cancellationToken))
                {
                    await CopyLimitedAsync(source, file, "header.source_uri", cancellationToken);
                }
                break;
            default:
                throw DomainException.InvalidArgument("header.source must be set: upload (chunks follow) or source_uri");
        }
    }

    private async Task SpoolUploadAsync(ArchiveUpload upload, IAsyncEnumerable<ReadOnlyMemory<byte>> chunks, FileStream file, CancellationToken cancellationToken)
    {
        if (upload.Sha256.Length > 0 && (upload.Sha256.Length != 64 || !upload.Sha256.All(char.IsAsciiHexDigitLower)))
        {
            throw DomainException.InvalidArgument("header.upload.sha256 must be 64 lowercase hexadecimal characters");
        }
        if (upload.SizeBytes < 0)
        {
            throw DomainException.InvalidArgument("header.upload.size_bytes must not be negative");
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long received = 0;
        await foreach (var chunk in chunks.WithCancellation(cancellationToken))
        {
            received += chunk.Length;
            if (received > _options.Archive.MaxArchiveBytes)
            {
                throw DomainException.InvalidArgument($"upload exceeds {_options.Archive.MaxArchiveBytes} bytes (Datasets:Archive:MaxArchiveBytes)");
            }
            if (upload.SizeBytes > 0 && received > upload.SizeBytes)
            {
                throw DomainException.InvalidArgument($"upload is longer than header.upload.size_bytes = {upload.SizeBytes}");
            }
            hash.AppendData(chunk.Span);
            await file.WriteAsync(chunk, cancellationToken);
        }
        if (upload.SizeBytes > 0 && received != upload.SizeBytes)
        {
            throw DomainException.InvalidArgument($"upload has {received} bytes but header.upload.size_bytes says {upload.SizeBytes}");
        }
        var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (upload.Sha256.Length > 0 && sha != upload.Sha256)
        {
            throw DomainException.InvalidArgument($"upload has sha256 {sha} but header.upload.sha256 says {upload.Sha256}");
        }
    }

    private async Task<Stream> OpenUriAsync(string uri, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
        {
            throw DomainException.InvalidArgument($"header.source_uri '{uri}' is not an absolute URI (s3://bucket/key or file:///path)");
        }
        switch (parsed.Scheme)
        {
            case "s3":
                var bucket = parsed.Host;
                var key = Uri.UnescapeDataString(parsed.AbsolutePath.TrimStart('/'));
                if (!string.Equals(bucket, storage.S3.Bucket, StringComparison.Ordinal))
                {
                    throw DomainException.InvalidArgument($"header.source_uri names bucket '{bucket}'; this service reads only its own bucket '{storage.S3.Bucket}'");
                }
                try
                {
                    ObjectKey.Validate(key);
                    return await store.OpenReadAsync(key, cancellationToken: cancellationToken);
                }
                catch (ArgumentException e)
                {
                    throw DomainException.InvalidArgument($"header.source_uri has an invalid key: {e.Message}");
                }
                catch (ObjectNotFoundException)
                {
                    throw DomainException.NotFound($"header.source_uri '{uri}' names no object");
                }
            case "file":
                var path = Path.GetFullPath(parsed.LocalPath);
                var allowed = _options.AllowedFileRoots.Select(r => Path.GetFullPath(r).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar);
                if (!allowed.Any(root => path.StartsWith(root, StringComparison.Ordinal)))
                {
                    throw DomainException.FailedPrecondition(
                        $"header.source_uri '{uri}' is outside the folders this service may read (Datasets:AllowedFileRoots)");
                }
                if (!File.Exists(path))
                {
                    throw DomainException.NotFound($"header.source_uri '{uri}' names no file");
                }
                return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            default:
                throw DomainException.InvalidArgument($"header.source_uri scheme '{parsed.Scheme}' is not supported (s3:// or file://)");
        }
    }

    private async Task CopyLimitedAsync(Stream source, Stream destination, string field, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > _options.Archive.MaxArchiveBytes)
            {
                throw DomainException.InvalidArgument($"{field} names an archive over {_options.Archive.MaxArchiveBytes} bytes (Datasets:Archive:MaxArchiveBytes)");
            }
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }
}
