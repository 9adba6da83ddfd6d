using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace Cauchy.Storage;

/// <summary>
/// Object store on S3, MinIO or any S3-compatible server. A PUT and a multipart-upload completion are atomic
/// on the server: the object appears whole or not at all, so readers never see a partial object.
/// Writes read the source one part at a time into memory (<see cref="S3StoreOptions.PartSizeBytes"/>): each
/// request body is replayable, so every request is retried on transient failures, even when the source
/// stream cannot seek, and a write's memory stays one part whatever the object's size.
/// </summary>
public sealed class S3ObjectStore : IObjectStore, IDisposable
{
    private const string Sha256MetadataName = "sha256";

    private readonly IAmazonS3 _client;
    private readonly S3StoreOptions _options;
    private readonly ILogger _logger;
    private readonly bool _ownsClient;
    private readonly ResiliencePipeline _retry;

    /// <param name="ownsClient">Whether disposing the store disposes <paramref name="client"/>.</param>
    public S3ObjectStore(IAmazonS3 client, S3StoreOptions options, ILogger<S3ObjectStore>? logger = null, bool ownsClient = false)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _client = client;
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _ownsClient = ownsClient;
        _retry = options.MaxRetries == 0 ? ResiliencePipeline.Empty : BuildRetry(options, _logger);
    }

    /// <summary>
    /// A client for <paramref name="options"/>: path-style addressing (MinIO and loopback servers have no
    /// per-bucket host names), checksums only where the API requires them (servers without trailing-checksum
    /// support reject or mangle them), and no SDK retries, because this store's retry pipeline owns retrying.
    /// </summary>
    public static AmazonS3Config CreateClientConfig(S3StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config
        {
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 0,
            AuthenticationRegion = options.Region,
        };
        if (string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }
        else
        {
            config.ServiceURL = options.ServiceUrl;
        }
        return config;
    }

    /// <summary>A store with its own client, built from <paramref name="options"/> alone.</summary>
    public static S3ObjectStore Create(S3StoreOptions options, ILogger<S3ObjectStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var config = CreateClientConfig(options);
        var client = string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
        return new S3ObjectStore(client, options, logger, ownsClient: true);
    }

    public async Task<ObjectInfo> PutAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        var partSize = (int)_options.PartSizeBytes;
        var buffer = new byte[partSize];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var filled = await FillAsync(content, buffer, cancellationToken);
        hash.AppendData(buffer, 0, filled);
        if (filled < partSize)
        {
            var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            await PutSingleAsync(key, buffer.AsMemory(0, filled), sha256, cancellationToken);
            return new ObjectInfo(key, filled, sha256, DateTimeOffset.UtcNow);
        }
        return await PutMultipartAsync(key, content, buffer, hash, cancellationToken);
    }

    public async Task<ObjectInfo> PutContentAddressedAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        // The key is the hash, known only after reading everything; a source that cannot be read twice is
        // spooled to a temporary file (not memory) while hashing, then uploaded from there.
        Stream? spool = null;
        try
        {
            var source = content;
            if (!content.CanSeek)
            {
                spool = new FileStream(Path.Combine(Path.GetTempPath(), $"cauchy-storage-{Guid.NewGuid():N}.spool"),
                    FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16,
                    FileOptions.Asynchronous | FileOptions.DeleteOnClose);
                source = spool;
            }
            var start = source.Position;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 20];
            long size = 0;
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                if (spool is not null)
                {
                    await spool.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                size += read;
            }
            var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            var key = ObjectKey.ForSha256(sha256);
            var existing = await TryHeadAsync(key, cancellationToken);
            if (existing is not null)
            {
                return existing;
            }
            source.Position = start;
            var stored = await PutAsync(key, source, cancellationToken);
            return stored with { Sha256 = sha256, Size = size };
        }
        finally
        {
            if (spool is not null)
            {
                await spool.DisposeAsync();
            }
        }
    }

    public async Task<Stream> OpenReadAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "A read length must not be negative.");
        }
        if (offset > 0 || length is not null)
        {
            // S3 answers a range at or past the end with 416, and an empty range cannot be expressed at all;
            // asking for the size first gives both stores the same semantics.
            var size = (await HeadAsync(key, cancellationToken)).Size;
            if (offset > size)
            {
                throw new ArgumentOutOfRangeException(nameof(offset), offset, $"Object '{key}' has {size} bytes; cannot read from offset {offset}.");
            }
            var end = length is { } limit ? Math.Min(size, offset + limit) : size;
            if (end == offset)
            {
                return new MemoryStream([], writable: false);
            }
            // Bounded as well: some servers (s3rver) read "bytes=0-0" as open-ended and send the whole object.
            return new BoundedReadStream(await GetAsync(key, new ByteRange(offset, end - 1), cancellationToken), end - offset);
        }
        return await GetAsync(key, null, cancellationToken);
    }

    public async Task<ObjectInfo> HeadAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        return await TryHeadAsync(key, cancellationToken) ?? throw new ObjectNotFoundException(key);
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        return await TryHeadAsync(key, cancellationToken) is not null;
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectKey.ValidatePrefix(prefix);
        string? continuation = null;
        do
        {
            var request = new ListObjectsV2Request
            {
                BucketName = _options.Bucket,
                Prefix = prefix.Length == 0 ? null : prefix,
                MaxKeys = _options.ListPageSize,
                ContinuationToken = continuation,
            };
            var page = await _retry.ExecuteAsync(
                async token => await _client.ListObjectsV2Async(request, token), cancellationToken);
            foreach (var entry in page.S3Objects ?? [])
            {
                yield return new ObjectInfo(entry.Key, entry.Size ?? 0, ObjectKey.Sha256Of(entry.Key),
                    entry.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue);
            }
            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        // S3 answers 204 for a key that holds nothing, so deleting twice is already idempotent.
        await _retry.ExecuteAsync(async token => await _client.DeleteObjectAsync(_options.Bucket, key, token), cancellationToken);
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    private async Task<Stream> GetAsync(string key, ByteRange? range, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _retry.ExecuteAsync(async token => await _client.GetObjectAsync(new GetObjectRequest
            {
                BucketName = _options.Bucket,
                Key = key,
                ByteRange = range,
            }, token), cancellationToken);
            return response.ResponseStream;
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ObjectNotFoundException(key, exception);
        }
    }

    private async Task<ObjectInfo?> TryHeadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _retry.ExecuteAsync(async token => await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest
            {
                BucketName = _options.Bucket,
                Key = key,
            }, token), cancellationToken);
            var sha256 = ObjectKey.Sha256Of(key) ?? response.Metadata[Sha256MetadataName];
            var modified = response.LastModified is { } value
                ? new DateTimeOffset(value.ToUniversalTime(), TimeSpan.Zero)
                : DateTimeOffset.MinValue;
            return new ObjectInfo(key, response.ContentLength, string.IsNullOrEmpty(sha256) ? null : sha256, modified);
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task PutSingleAsync(string key, ReadOnlyMemory<byte> body, string sha256, CancellationToken cancellationToken)
    {
        await _retry.ExecuteAsync(async token =>
        {
            var request = new PutObjectRequest
            {
                BucketName = _options.Bucket,
                Key = key,
                InputStream = AsStream(body),
                AutoCloseStream = true,
                // aws-chunked bodies are stored verbatim by servers that do not decode them (s3rver): the object
                // would come back with chunk headers inside.
                UseChunkEncoding = false,
            };
            request.Metadata[Sha256MetadataName] = sha256;
            await _client.PutObjectAsync(request, token);
        }, cancellationToken);
    }

    private async Task<ObjectInfo> PutMultipartAsync(string key, Stream content, byte[] firstPart, IncrementalHash hash, CancellationToken cancellationToken)
    {
        var partSize = firstPart.Length;
        var upload = await _retry.ExecuteAsync(async token => await _client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = _options.Bucket, Key = key }, token), cancellationToken);
        var uploadId = upload.UploadId;
        try
        {
            var parts = new List<PartETag>();
            var buffer = firstPart;
            var filled = partSize;
            long size = 0;
            while (filled > 0)
            {
                var partNumber = parts.Count + 1;
                var body = buffer.AsMemory(0, filled);
                var response = await _retry.ExecuteAsync(async token => await _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _options.Bucket,
                    Key = key,
                    UploadId = uploadId,
                    PartNumber = partNumber,
                    InputStream = AsStream(body),
                    PartSize = body.Length,
                    UseChunkEncoding = false,
                }, token), cancellationToken);
                parts.Add(new PartETag(partNumber, response.ETag));
                size += filled;
                filled = await FillAsync(content, buffer, cancellationToken);
                hash.AppendData(buffer, 0, filled);
            }
            await _retry.ExecuteAsync(async token => await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _options.Bucket,
                Key = key,
                UploadId = uploadId,
                PartETags = parts,
            }, token), cancellationToken);
            return new ObjectInfo(key, size, Convert.ToHexStringLower(hash.GetHashAndReset()), DateTimeOffset.UtcNow);
        }
        catch
        {
            // Parts of an abandoned upload are billed storage that no listing shows; give them back. This runs
            // even when the write was cancelled, hence its own token.
            try
            {
                using var abortTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest
                {
                    BucketName = _options.Bucket,
                    Key = key,
                    UploadId = uploadId,
                }, abortTimeout.Token);
            }
            catch (Exception abortFailure)
            {
                _logger.LogWarning("Could not abort multipart upload {UploadId} of '{Key}' ({Error}); a bucket lifecycle rule must clean it up.",
                    uploadId, key, abortFailure.Message);
            }
            throw;
        }
    }

    private static ResiliencePipeline BuildRetry(S3StoreOptions options, ILogger logger) =>
        new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                // Never when the caller cancelled: that is an answer, not a failure.
                ShouldHandle = arguments => ValueTask.FromResult(
                    arguments.Outcome.Exception is { } exception
                    && !arguments.Context.CancellationToken.IsCancellationRequested
                    && S3TransientErrors.IsTransient(exception)),
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                OnRetry = arguments =>
                {
                    // Only the exception's type and message: SDK messages name the bucket and key, never credentials.
                    logger.LogWarning("S3 request failed transiently ({Error}: {Message}); retry {Attempt} in {Delay}.",
                        arguments.Outcome.Exception?.GetType().Name, arguments.Outcome.Exception?.Message,
                        arguments.AttemptNumber + 1, arguments.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    private static MemoryStream AsStream(ReadOnlyMemory<byte> body) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);

    /// <summary>Reads until <paramref name="buffer"/> is full or the source ends; returns the bytes read.</summary>
    private static async Task<int> FillAsync(Stream source, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await source.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                break;
            }
            filled += read;
        }
        return filled;
    }
}
