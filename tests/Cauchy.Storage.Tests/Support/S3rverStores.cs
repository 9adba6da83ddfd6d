using Amazon.S3;
using Cauchy.Testing;

namespace Cauchy.Storage.Tests.Support;

/// <summary>How the storage tests use the shared <see cref="S3rverFixture"/>: small parts and pages, fast retries.</summary>
public static class S3rverStores
{
    /// <summary>Store options for <paramref name="bucket"/> that make every test cross part and page boundaries.</summary>
    public static S3StoreOptions TestOptions(this S3rverFixture server, string bucket) => server.Options(bucket) with
    {
        PartSizeBytes = 5 * TestData.MiB,
        // Small pages make every listing test cross page boundaries.
        ListPageSize = 2,
        MaxRetries = 3,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
    };

    /// <summary>A client for s3rver; <paramref name="handler"/> sees (and may fail) every request.</summary>
    public static AmazonS3Client Client(S3StoreOptions options, HttpMessageHandler? handler = null)
    {
        var config = S3ObjectStore.CreateClientConfig(options);
        if (handler is not null)
        {
            config.HttpClientFactory = new HandlerHttpClientFactory(handler);
        }
        return new AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }
}
