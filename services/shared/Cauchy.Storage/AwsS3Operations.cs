using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Polly;

namespace Cauchy.Storage;

/// <summary>
/// The two operations of the store still on AWSSDK.S3, because the Minio client cannot do them:
/// <list type="bullet">
/// <item>Multipart uploads. The Minio client uploads parts only inside its own PutObject, in parts of a size it
/// picks, and when the source fails or the write is cancelled it leaves the upload open without saying its id,
/// so the parts can neither be aborted nor sized by <see cref="S3StoreOptions.PartSizeBytes"/>.</item>
/// <item>Ranged reads. The Minio client's GetObject with an offset and length first sends a HEAD with the same
/// Range header and fails with PartialContentException when the server answers it with 206 Partial Content.</item>
/// </list>
/// Each request goes through <paramref name="retry"/>; upload bodies are in memory, so a part is retried even
/// when the source cannot seek.
/// </summary>
internal sealed class AwsS3Operations(IAmazonS3 client, string bucket, ResiliencePipeline retry, ILogger logger) : IDisposable
{
    /// <summary>
    /// A client for <paramref name="options"/>, sending through <paramref name="handler"/>:
    /// path-style addressing (MinIO and loopback servers have no per-bucket host names), checksums only where the
    /// API requires them (servers without trailing-checksum support reject or mangle them), and no SDK retries,
    /// because the store's retry pipeline owns retrying.
    /// </summary>
    public static AwsS3Operations Create(S3StoreOptions options, S3Credentials credentials, HttpMessageHandler handler, ResiliencePipeline retry, ILogger logger)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 0,
            AuthenticationRegion = options.Region,
            HttpClientFactory = new SharedHandlerHttpClientFactory(handler),
        };
        if (string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }
        else
        {
            config.ServiceURL = options.ServiceUrl;
        }
        AWSCredentials awsCredentials = credentials.SessionToken is { Length: > 0 } token
            ? new SessionAWSCredentials(credentials.AccessKey, credentials.SecretKey, token)
            : new BasicAWSCredentials(credentials.AccessKey, credentials.SecretKey);
        return new AwsS3Operations(new AmazonS3Client(awsCredentials, config), options.Bucket, retry, logger);
    }

    /// <summary>
    /// Uploads <paramref name="firstPart"/> (<paramref name="firstFilled"/> bytes, already in <paramref name="hash"/>)
    /// and the rest of <paramref name="content"/> in parts of <paramref name="firstPart"/>'s length, reusing that
    /// one buffer. <paramref name="sha256"/>, known when the first part is the whole object, is stored as metadata.
    /// </summary>
    public async Task<ObjectInfo> UploadAsync(string key, Stream content, byte[] firstPart, int firstFilled, IncrementalHash hash,
        string? sha256, CancellationToken cancellationToken)
    {
        var initiate = new InitiateMultipartUploadRequest { BucketName = bucket, Key = key };
        if (sha256 is not null)
        {
            initiate.Metadata[S3ObjectStore.Sha256MetadataName] = sha256;
        }
        var upload = await retry.ExecuteAsync(async token => await client.InitiateMultipartUploadAsync(initiate, token), cancellationToken);
        var uploadId = upload.UploadId;
        try
        {
            var parts = new List<PartETag>();
            var buffer = firstPart;
            var filled = firstFilled;
            long size = 0;
            do
            {
                var partNumber = parts.Count + 1;
                var length = filled;
                var response = await retry.ExecuteAsync(async token => await client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = bucket,
                    Key = key,
                    UploadId = uploadId,
                    PartNumber = partNumber,
                    InputStream = new MemoryStream(buffer, 0, length, writable: false),
                    PartSize = length,
                    // aws-chunked bodies are stored verbatim by servers that do not decode them (s3rver): the
                    // object would come back with chunk headers inside.
                    UseChunkEncoding = false,
                }, token), cancellationToken);
                parts.Add(new PartETag(partNumber, response.ETag));
                size += filled;
                if (filled < buffer.Length)
                {
                    break;
                }
                filled = await S3ObjectStore.FillAsync(content, buffer, cancellationToken);
                hash.AppendData(buffer, 0, filled);
            }
            while (filled > 0);
            await retry.ExecuteAsync(async token => await client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = bucket,
                Key = key,
                UploadId = uploadId,
                PartETags = parts,
            }, token), cancellationToken);
            return new ObjectInfo(key, size, Convert.ToHexStringLower(hash.GetHashAndReset()), DateTimeOffset.UtcNow);
        }
        catch
        {
            await AbortAsync(key, uploadId);
            throw;
        }
    }

    /// <summary>
    /// Opens <paramref name="length"/> bytes of <paramref name="key"/> from <paramref name="offset"/>; the range
    /// must lie inside the object. The response body streams straight to the reader.
    /// </summary>
    public async Task<Stream> OpenRangeAsync(string key, long offset, long length, CancellationToken cancellationToken)
    {
        var response = await retry.ExecuteAsync(async token => await client.GetObjectAsync(new GetObjectRequest
        {
            BucketName = bucket,
            Key = key,
            ByteRange = new ByteRange(offset, offset + length - 1),
        }, token), cancellationToken);
        return response.ResponseStream;
    }

    public void Dispose() => client.Dispose();

    private async Task AbortAsync(string key, string uploadId)
    {
        // Parts of an abandoned upload are billed storage that no listing shows; give them back. This runs even
        // when the write was cancelled, hence its own token.
        try
        {
            using var abortTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest
            {
                BucketName = bucket,
                Key = key,
                UploadId = uploadId,
            }, abortTimeout.Token);
        }
        catch (Exception abortFailure)
        {
            logger.LogWarning("Could not abort multipart upload {UploadId} of '{Key}' ({Error}); a bucket lifecycle rule must clean it up.",
                uploadId, key, abortFailure.Message);
        }
    }
}
