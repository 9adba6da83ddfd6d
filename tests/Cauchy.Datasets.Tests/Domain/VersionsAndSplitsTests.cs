using Cauchy.Datasets.Import;
using Cauchy.Datasets.Tests.Support;
using Cauchy.Domain;
using Cauchy.Testing;
using Cauchy.V1;

namespace Cauchy.Datasets.Tests.Domain;

/// <summary>Content-hashed versions and deterministic splits.</summary>
public sealed class VersionsAndSplitsTests(SqliteFixture database) : IClassFixture<SqliteFixture>
{
    private static ImportDatasetVersionHeader Header(ArchiveKind kind, long seed) => new()
    {
        DatasetId = "shapes",
        Format = DatasetFormat.ImageFolder,
        ArchiveKind = kind,
        Split = new SplitSpec { Seed = seed, TrainFraction = 0.6, ValidationFraction = 0.2, TestFraction = 0.2 },
    };

    [Fact]
    public async Task Same_content_gives_the_same_version_whatever_the_archive_and_stores_it_once()
    {
        var images = Shapes.Generate(20, seed: 31);
        await using var harness = await DomainHarness.CreateAsync(database);
        await harness.CreateDatasetAsync("shapes", TaskType.Classification);

        var first = await harness.ImportAsync(Header(ArchiveKind.Tar, 7), SampleSets.ImageFolder(images).Build(ArchiveKind.Tar));
        var objectsAfterFirst = harness.StoredObjects().Order().ToList();
        // Same files in the opposite order, in a zip: same content, same version.
        var reversed = SampleSets.ImageFolder(Enumerable.Reverse(images).ToList()).Build(ArchiveKind.Zip);
        var second = await harness.ImportAsync(Header(ArchiveKind.Zip, 7), reversed);

        Assert.False(first.AlreadyExisted);
        Assert.True(second.AlreadyExisted);
        Assert.Equal(first.Version.Version.VersionId, second.Version.Version.VersionId);
        Assert.Matches("^[0-9a-f]{64}$", first.Version.Version.VersionId);
        Assert.Equal(objectsAfterFirst, harness.StoredObjects().Order().ToList());
        Assert.Equal(1, (await harness.Manager.GetDatasetAsync("shapes", CancellationToken.None)).VersionCount);

        var other = await harness.ImportAsync(Header(ArchiveKind.Tar, 8), SampleSets.ImageFolder(images).Build(ArchiveKind.Tar));
        Assert.False(other.AlreadyExisted);
        Assert.NotEqual(first.Version.Version.VersionId, other.Version.Version.VersionId);
        var dataset = await harness.Manager.GetDatasetAsync("shapes", CancellationToken.None);
        Assert.Equal((2, other.Version.Version.VersionId), (dataset.VersionCount, dataset.LatestVersionId));
    }

    [Fact]
    public async Task Splits_follow_the_seed_and_the_fractions_not_the_archive_order()
    {
        var images = Shapes.Generate(50, seed: 32);
        await using var harness = await DomainHarness.CreateAsync(database);
        await harness.CreateDatasetAsync("shapes", TaskType.Classification);

        async Task<Dictionary<string, Split>> SplitsOf(IReadOnlyList<ShapeImage> set, long seed)
        {
            var outcome = await harness.ImportAsync(Header(ArchiveKind.Tar, seed), SampleSets.ImageFolder(set).Build(ArchiveKind.Tar));
            return (await harness.ReadAllAsync(outcome.Version)).ToDictionary(s => s.Id, s => s.Split);
        }

        var a = await SplitsOf(images, 1);
        var b = await SplitsOf(Enumerable.Reverse(images).ToList(), 1);
        var c = await SplitsOf(images, 2);
        Assert.Equal(a.OrderBy(p => p.Key), b.OrderBy(p => p.Key));
        Assert.NotEqual(a.OrderBy(p => p.Key), c.OrderBy(p => p.Key));
        Assert.Equal((30, 10, 10), (a.Count(p => p.Value == Split.Train), a.Count(p => p.Value == Split.Validation), a.Count(p => p.Value == Split.Test)));
    }

    [Fact]
    public void Keep_source_splits_moves_a_validation_share_of_train_when_the_source_has_none()
    {
        var spec = SplitAssigner.Normalize(new SplitSpec { KeepSourceSplits = true, TrainFraction = 0.9, ValidationFraction = 0.1 });
        var sources = Enumerable.Repeat(Split.Train, 100).Concat(Enumerable.Repeat(Split.Test, 20)).ToArray();
        var keys = sources.Select((_, i) => SplitAssigner.ShuffleKey(3, $"s{i}")).ToArray();
        var result = SplitAssigner.Assign(spec, sources, keys);
        Assert.Equal(90, result.Count(s => s == Split.Train));
        Assert.Equal(10, result.Count(s => s == Split.Validation));
        Assert.Equal(20, result.Skip(100).Count(s => s == Split.Test));
    }

    [Theory]
    [InlineData(0.5, 0.5, 0.5, "sum")]
    [InlineData(-0.5, 1.0, 0.5, "train_fraction")]
    public void Bad_fractions_name_the_field(double train, double validation, double test, string expected)
    {
        var error = Assert.Throws<DomainException>(() => SplitAssigner.Normalize(new SplitSpec
        {
            TrainFraction = train,
            ValidationFraction = validation,
            TestFraction = test,
        }));
        Assert.Contains(expected, error.Message);
    }
}
