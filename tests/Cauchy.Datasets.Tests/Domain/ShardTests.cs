using Cauchy.Datasets.Domain;
using Cauchy.Datasets.Tests.Support;
using Cauchy.Domain;
using Cauchy.Testing;
using Cauchy.V1;

namespace Cauchy.Datasets.Tests.Domain;

/// <summary>Shards: sizes by configuration, read back in full or from a sample, checked against index and checksums.</summary>
public sealed class ShardTests(SqliteFixture database) : IClassFixture<SqliteFixture>
{
    private static async Task<(DomainHarness Harness, Data.StoredVersion Version, List<ShapeImage> Images)> ImportAsync(SqliteFixture database)
    {
        var images = Shapes.Generate(23, seed: 41);
        var harness = await DomainHarness.CreateAsync(database, o => o.Shards.MaxSamples = 5);
        await harness.CreateDatasetAsync("shapes", TaskType.Classification);
        var outcome = await harness.ImportAsync(new ImportDatasetVersionHeader
        {
            DatasetId = "shapes",
            Format = DatasetFormat.ImageFolder,
            ArchiveKind = ArchiveKind.Tar,
            Split = new SplitSpec { TrainFraction = 1 },
        }, SampleSets.ImageFolder(images).Build(ArchiveKind.Tar));
        return (harness, outcome.Version, images);
    }

    [Fact]
    public async Task Samples_are_cut_into_shards_of_the_configured_size_and_read_back_whole()
    {
        var (harness, version, images) = await ImportAsync(database);
        await using var _ = harness;
        var shards = version.Manifest.Splits.Single().Shards;
        Assert.Equal(new long[] { 5, 5, 5, 5, 3 }, shards.Select(s => s.SampleCount));
        Assert.Equal(Enumerable.Range(0, 5), shards.Select(s => s.Index));
        Assert.All(shards, s => Assert.True(File.Exists(Path.Combine(harness.ObjectsRoot, s.ObjectKey))));
        Assert.StartsWith("file:///", version.Manifest.BaseUri);
        Assert.True(File.Exists(Path.Combine(harness.ObjectsRoot, version.ObjectPrefix, "manifest.pb")));

        var samples = await harness.ReadAllAsync(version);
        Assert.Equal(images.Select(i => i.Png()).OrderBy(Convert.ToBase64String), samples.Select(s => s.Image.ToByteArray()).OrderBy(Convert.ToBase64String));
        Assert.Equal(version.Version.SizeBytes, shards.Sum(s => s.SizeBytes + s.IndexSizeBytes));
    }

    [Fact]
    public async Task A_read_can_resume_at_any_sample_of_a_shard()
    {
        var (harness, version, _) = await ImportAsync(database);
        await using var _ = harness;
        var shard = version.Manifest.Splits.Single().Shards[1];
        var whole = new List<Sample>();
        await foreach (var batch in harness.Reader.ReadAsync(shard, 0, 2, CancellationToken.None))
        {
            Assert.InRange(batch.Count, 1, 2);
            whole.AddRange(batch);
        }
        var tail = new List<Sample>();
        await foreach (var batch in harness.Reader.ReadAsync(shard, 3, 2, CancellationToken.None))
        {
            tail.AddRange(batch);
        }
        Assert.Equal(whole.Skip(3), tail);
        var end = new List<Sample>();
        await foreach (var batch in harness.Reader.ReadAsync(shard, 5, 2, CancellationToken.None))
        {
            end.AddRange(batch);
        }
        Assert.Empty(end);
        await Assert.ThrowsAsync<DomainException>(async () =>
        {
            await foreach (var batch in harness.Reader.ReadAsync(shard, 6, 2, CancellationToken.None))
            {
            }
        });
    }

    [Fact]
    public async Task A_changed_byte_in_a_shard_is_data_loss_not_a_wrong_sample()
    {
        var (harness, version, _) = await ImportAsync(database);
        await using var _ = harness;
        var shard = version.Manifest.Splits.Single().Shards[2];
        var path = Path.Combine(harness.ObjectsRoot, shard.ObjectKey);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);

        var error = await Assert.ThrowsAsync<DomainException>(async () =>
        {
            await foreach (var batch in harness.Reader.ReadAsync(shard, 0, 100, CancellationToken.None))
            {
            }
        });
        Assert.Equal(DomainErrorKind.DataLoss, error.Kind);
        Assert.Contains(shard.ObjectKey, error.Message);
    }
}
