using Cauchy.Testing;
using Xunit;

namespace Cauchy.Registry.Tests;

[CollectionDefinition(PostgresFixture.CollectionName)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;

/// <summary>The registry process on PostgreSQL and S3 (s3rver): the cluster configuration, on loopback.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<PostgresFixture>, ICollectionFixture<S3rverFixture>
{
    public const string Name = "registry on postgres and s3";
}
