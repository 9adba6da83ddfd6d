using Xunit;

namespace Cauchy.Platform.Tests.Platform;

/// <summary>Tests that share one platform started by scripts/up.sh (see <see cref="PlatformFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "Platform";
}
