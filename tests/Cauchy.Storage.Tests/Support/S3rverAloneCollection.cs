using Cauchy.Testing;
using Xunit;

namespace Cauchy.Storage.Tests.Support;

/// <summary>
/// An s3rver of its own for tests that measure the whole process's memory: xunit runs this collection after
/// the parallel ones, alone, so no other test's allocations land in the measurement.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class S3rverAloneCollection : ICollectionFixture<S3rverFixture>
{
    public const string Name = "s3rver-alone";
}
