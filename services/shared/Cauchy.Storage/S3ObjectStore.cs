using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Minio;
using Minio.DataModel;
using Minio.DataModel.Args;
using Polly;
using Polly.Retry;

namespace Cauchy.Storage;

/// <summary>
/// Object store on S3, MinIO or any S3-compatible server, through the Minio client; multipart uploads and ranged
/// reads go through <see cref="AwsS3Operations"/> (AWSSDK.S3), see there for why. A PUT and a multipart-upload completion are
/// atomic on the server: the object appears whole or not at all, so readers never see a partial object.
/// Writes read the source one part at a time into memory (<see cref="S3StoreOptions.PartSizeBytes"/>): each
/// request body is replayable, so every request is retried on transient failures, even when the source
/// stream cannot seek, and a write's memory stays one part whatever the object's size.
/// </summary>
/// <remarks>
/// Slightly over the house limit on class size: it implements all of <see cref="IObjectStore"/> against one client with
/// one retry policy and one error mapping; the parts that need a second client already live in
/// <see cref="AwsS3Operations"/>.
/// </remarks>
public sealed class S3ObjectStore : IObjectStore, IDisposable
{
    internal const string Sha256MetadataName = "sha256";

    private readonly S3StoreOptions _options;
    private readonly string _endpoint;
    private readonly ResiliencePipeline _retry;
    private readonly S3ErrorResponseHandler _handler;
    private readonly bool _ownsTransport;
    private readonly HttpClient _http;
    private readonly IMinioClient _client;
    private readonly AwsS3Operations _aws;
    private volatile bool _bucketSeen;

    /// <param name="transport">
    /// Sends the HTTP requests of both clients; a new <see cref="SocketsHttpHandler"/> when null. The store does
    /// not dispose a transport it was given.
    /// </param>
    public S3ObjectStore(S3StoreOptions options, ILogger<S3ObjectStore>? logger = null, HttpMessageHandler? transport = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        var log = logger ?? (ILogger)NullLogger.Instance;
        _retry = options.MaxRetries == 0 ? ResiliencePipeline.Empty : BuildRetry(options, log);
        var endpoint = string.IsNullOrEmpty(options.ServiceUrl) ? new Uri("https://s3.amazonaws.com") : new Uri(options.ServiceUrl);
        _endpoint = endpoint.GetLeftPart(UriPartial.Authority);
        var credentials = S3Credentials.Resolve(options);
        _ownsTransport = transport is null;
        _handler = new S3ErrorResponseHandler(options.Bucket, _endpoint) { InnerHandler = transport ?? new SocketsHttpHandler() };
        _http = new HttpClient(_handler, disposeHandler: false);
        var client = new MinioClient()
            .WithEndpoint(endpoint.IsDefaultPort ? endpoint.Host : $"{endpoint.Host}:{endpoint.Port}")
            .WithSSL(endpoint.Scheme == Uri.UriSchemeHttps)
            // A known region spares the client a GET ?location before the first request to each bucket.
            .WithRegion(options.Region)
            .WithCredentials(credentials.AccessKey, credentials.SecretKey)
            .WithHttpClient(_http, disposeHttpClient: false);
        if (credentials.SessionToken is { Length: > 0 } token)
        {
            client = client.WithSessionToken(token);
        }
        _client = client.Build();
        _aws = AwsS3Operations.Create(options, credentials, _handler, _retry, log);
    }

    /// <summary>A store with its own clients, built from <paramref name="options"/> alone.</summary>
    public static S3ObjectStore Create(S3StoreOptions options, ILogger<S3ObjectStore>? logger = null) => new(options, logger);

    public async Task<ObjectInfo> PutAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        var buffer = new byte[(int)_options.PartSizeBytes];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var filled = await FillAsync(content, buffer, cancellationToken);
        hash.AppendData(buffer, 0, filled);
        // The source ended inside the first part: the whole object is in memory and its hash is known.
        var sha256 = filled < buffer.Length ? Convert.ToHexStringLower(hash.GetCurrentHash()) : null;
        if (sha256 is not null && filled < S3StoreOptions.MinimumPartSizeBytes)
        {
            await PutSingleAsync(key, buffer, filled, sha256, cancellationToken);
            return new ObjectInfo(key, filled, sha256, DateTimeOffset.UtcNow);
        }
        return await _aws.UploadAsync(key, content, buffer, filled, hash, sha256, cancellationToken);
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
            return new BoundedReadStream(await GetRangeAsync(key, offset, end - offset, cancellationToken), end - offset);
        }
        return await GetAsync(key, cancellationToken);
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
        // The client pages by itself; a page that fails for good ends its enumeration, so a retry starts a new
        // listing and skips what was already yielded (S3 lists in key order).
        IAsyncEnumerator<Item>? items = null;
        string? lastKey = null;
        string? resumeAfter = null;
        try
        {
            while (true)
            {
                var next = await _retry.ExecuteAsync(async token =>
                {
                    if (items is null)
                    {
                        resumeAfter = lastKey;
                        var args = new ListObjectsArgs().WithBucket(_options.Bucket).WithPrefix(prefix).WithRecursive(true);
                        items = _client.ListObjectsEnumAsync(args, token).GetAsyncEnumerator(token);
                    }
                    try
                    {
                        while (await items.MoveNextAsync())
                        {
                            var item = items.Current;
                            if (!item.IsDir && (resumeAfter is null || string.CompareOrdinal(item.Key, resumeAfter) > 0))
                            {
                                return item;
                            }
                        }
                        return null;
                    }
                    catch
                    {
                        await items.DisposeAsync();
                        items = null;
                        throw;
                    }
                }, cancellationToken);
                if (next is null)
                {
                    yield break;
                }
                lastKey = next.Key;
                var modified = DateTimeOffset.TryParse(next.LastModified, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
                    ? value.ToUniversalTime()
                    : DateTimeOffset.MinValue;
                yield return new ObjectInfo(next.Key, (long)next.Size, ObjectKey.Sha256Of(next.Key), modified);
            }
        }
        finally
        {
            if (items is not null)
            {
                await items.DisposeAsync();
            }
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        // S3 answers 204 for a key that holds nothing, so deleting twice is already idempotent.
        await _retry.ExecuteAsync(async token =>
            await _client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(_options.Bucket).WithObject(key), token), cancellationToken);
    }

    public void Dispose()
    {
        _client.Dispose();
        _aws.Dispose();
        _http.Dispose();
        if (_ownsTransport)
        {
            _handler.Dispose();
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the source ends; returns the bytes read.</summary>
    internal static async Task<int> FillAsync(Stream source, byte[] buffer, CancellationToken cancellationToken)
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

    private async Task<Stream> GetAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await _retry.ExecuteAsync(async token => await OpenBodyAsync(key, token), cancellationToken);
        }
        catch (S3RequestException exception) when (exception.StatusCode == HttpStatusCode.NotFound && !exception.IsMissingBucket)
        {
            await ThrowIfBucketMissingAsync(cancellationToken);
            throw new ObjectNotFoundException(key, exception);
        }
    }

    private async Task<Stream> GetRangeAsync(string key, long offset, long length, CancellationToken cancellationToken)
    {
        try
        {
            return await _aws.OpenRangeAsync(key, offset, length, cancellationToken);
        }
        catch (S3RequestException exception) when (exception.StatusCode == HttpStatusCode.NotFound && !exception.IsMissingBucket)
        {
            await ThrowIfBucketMissingAsync(cancellationToken);
            throw new ObjectNotFoundException(key, exception);
        }
    }

    /// <summary>
    /// Starts a GetObject and returns its body as soon as the client's callback receives it; the callback (and
    /// with it the response) lives until the reader disposes the stream.
    /// </summary>
    private async Task<Stream> OpenBodyAsync(string key, CancellationToken cancellationToken)
    {
        var lent = new TaskCompletionSource<CallbackReadStream>(TaskCreationOptions.RunContinuationsAsynchronously);
        var args = new GetObjectArgs().WithBucket(_options.Bucket).WithObject(key).WithCallbackStream(async (body, _) =>
        {
            var stream = new CallbackReadStream(body);
            lent.TrySetResult(stream);
            await stream.Released;
        });
        var transfer = _client.GetObjectAsync(args, cancellationToken);
        if (await Task.WhenAny(lent.Task, transfer) != lent.Task)
        {
            await transfer;
            throw new InvalidOperationException($"Reading '{key}' ended without a response body.");
        }
        // A failure after the reader let go concerns nobody, but must not surface as an unobserved task exception.
        _ = transfer.ContinueWith(static finished => _ = finished.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return await lent.Task;
    }

    private async Task<ObjectInfo?> TryHeadAsync(string key, CancellationToken cancellationToken)
    {
        ObjectStat stat;
        try
        {
            stat = await _retry.ExecuteAsync(async token =>
                await _client.StatObjectAsync(new StatObjectArgs().WithBucket(_options.Bucket).WithObject(key), token), cancellationToken);
        }
        catch (S3RequestException exception) when (exception.StatusCode == HttpStatusCode.NotFound && !exception.IsMissingBucket)
        {
            await ThrowIfBucketMissingAsync(cancellationToken);
            return null;
        }
        var sha256 = ObjectKey.Sha256Of(key) ?? (stat.MetaData.TryGetValue(Sha256MetadataName, out var stored) && stored.Length > 0 ? stored : null);
        var modified = stat.LastModified == default
            ? DateTimeOffset.MinValue
            : new DateTimeOffset(stat.LastModified.ToUniversalTime(), TimeSpan.Zero);
        return new ObjectInfo(key, stat.Size, sha256, modified);
    }

    /// <summary>
    /// A 404 to a HEAD has no body, so it cannot say whether the key or the whole bucket is missing; the first
    /// one asks the server about the bucket, so that a misconfigured bucket is reported as such, not as a
    /// missing object. Once the bucket was seen, later 404s cost nothing extra.
    /// </summary>
    private async Task ThrowIfBucketMissingAsync(CancellationToken cancellationToken)
    {
        if (_bucketSeen)
        {
            return;
        }
        try
        {
            await _retry.ExecuteAsync(async token =>
                await _client.BucketExistsAsync(new BucketExistsArgs().WithBucket(_options.Bucket), token), cancellationToken);
        }
        catch (S3RequestException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            throw new S3RequestException(S3ErrorResponseHandler.MissingBucketMessage(_options.Bucket, _endpoint),
                HttpStatusCode.NotFound, "NoSuchBucket", _options.Bucket, exception.RequestId);
        }
        _bucketSeen = true;
    }

    private async Task PutSingleAsync(string key, byte[] buffer, int length, string sha256, CancellationToken cancellationToken)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["x-amz-meta-" + Sha256MetadataName] = sha256 };
        await _retry.ExecuteAsync(async token =>
        {
            var args = new PutObjectArgs()
                .WithBucket(_options.Bucket)
                .WithObject(key)
                .WithStreamData(new MemoryStream(buffer, 0, length, writable: false))
                .WithObjectSize(length)
                .WithContentType("application/octet-stream")
                .WithHeaders(metadata);
            await _client.PutObjectAsync(args, token);
        }, cancellationToken);
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
                    // Only the exception's type and message: they name the bucket and key, never credentials.
                    logger.LogWarning("S3 request failed transiently ({Error}: {Message}); retry {Attempt} in {Delay}.",
                        arguments.Outcome.Exception?.GetType().Name, arguments.Outcome.Exception?.Message,
                        arguments.AttemptNumber + 1, arguments.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
}
