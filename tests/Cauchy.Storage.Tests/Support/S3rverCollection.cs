using Cauchy.Testing;
using Xunit;

namespace Cauchy.Storage.Tests.Support;

[CollectionDefinition(Name)]
public sealed class S3rverCollection : ICollectionFixture<S3rverFixture>
{
    public const string Name = "s3rver";
}
