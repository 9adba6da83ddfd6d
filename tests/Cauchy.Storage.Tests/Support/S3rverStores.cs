using Cauchy.Testing;

namespace Cauchy.Storage.Tests.Support;

/// <summary>How the storage tests use the shared <see cref="S3rverFixture"/>: small parts, fast retries.</summary>
public static class S3rverStores
{
    /// <summary>Store options for <paramref name="bucket"/> that make every test cross part boundaries.</summary>
    public static S3StoreOptions TestOptions(this S3rverFixture server, string bucket) => server.Options(bucket) with
    {
        PartSizeBytes = 5 * TestData.MiB,
        MaxRetries = 3,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
    };
}
