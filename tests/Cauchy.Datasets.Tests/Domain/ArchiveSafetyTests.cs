using Cauchy.Datasets.Domain;
using Cauchy.Datasets.Tests.Support;
using Cauchy.Domain;
using Cauchy.Testing;
using Cauchy.V1;

namespace Cauchy.Datasets.Tests.Domain;

/// <summary>Every unsafe archive is refused with INVALID_ARGUMENT naming the entry, and nothing reaches the object store or the dataset store.</summary>
public sealed class ArchiveSafetyTests(SqliteFixture database) : IClassFixture<SqliteFixture>
{
    private static ImportDatasetVersionHeader Header(ArchiveKind kind) => new()
    {
        DatasetId = "shapes",
        Format = DatasetFormat.ImageFolder,
        ArchiveKind = kind,
    };

    private static ArchiveBuilder GoodImages() => SampleSets.ImageFolder(Shapes.Generate(4, seed: 1));

    private async Task<DomainException> RefusedAsync(byte[] archive, ArchiveKind kind, Action<DatasetsOptions>? configure = null)
    {
        await using var harness = await DomainHarness.CreateAsync(database, configure);
        await harness.CreateDatasetAsync("shapes", TaskType.Classification);
        var error = await Assert.ThrowsAsync<DomainException>(() => harness.ImportAsync(Header(kind), archive));
        Assert.Equal(DomainErrorKind.InvalidArgument, error.Kind);
        Assert.Empty(harness.StoredObjects());
        Assert.Equal(0, (await harness.Manager.GetDatasetAsync("shapes", CancellationToken.None)).VersionCount);
        Assert.Empty(await harness.DatasetStore.ListAbandonedPrefixesAsync(DateTime.UtcNow.AddDays(1), CancellationToken.None));
        Assert.Empty(Directory.EnumerateFileSystemEntries(harness.Options.WorkDirectory));
        return error;
    }

    [Theory]
    [InlineData(ArchiveKind.Tar)]
    [InlineData(ArchiveKind.TarGzip)]
    [InlineData(ArchiveKind.Zip)]
    public async Task Parent_segments_are_refused(ArchiveKind kind)
    {
        var error = await RefusedAsync(GoodImages().AddText("shapes/../../evil.txt", "x").Build(kind), kind);
        Assert.Contains("'shapes/../../evil.txt'", error.Message);
        Assert.Contains("..", error.Message);
    }

    [Theory]
    [InlineData(ArchiveKind.Tar)]
    [InlineData(ArchiveKind.Zip)]
    public async Task Absolute_paths_are_refused(ArchiveKind kind)
    {
        var error = await RefusedAsync(GoodImages().AddText("/etc/cron.d/evil", "x").Build(kind), kind);
        Assert.Contains("'/etc/cron.d/evil'", error.Message);
        Assert.Contains("absolute", error.Message);
    }

    [Theory]
    [InlineData(ArchiveKind.Tar, false)]
    [InlineData(ArchiveKind.Tar, true)]
    [InlineData(ArchiveKind.Zip, false)]
    public async Task Links_are_refused(ArchiveKind kind, bool hard)
    {
        var error = await RefusedAsync(GoodImages().AddLink("shapes/circle/link.png", "/etc/passwd", hard).Build(kind), kind);
        Assert.Contains("'shapes/circle/link.png'", error.Message);
        Assert.Contains("link", error.Message);
    }

    [Fact]
    public async Task A_zip_bomb_is_stopped_by_the_expansion_ratio_while_it_expands()
    {
        // 64 MiB of zeros deflate to about 64 KiB: a ratio near 1000, far over the limit of 50.
        var archive = GoodImages().Add("shapes/circle/bomb.png", new byte[64 << 20]).Build(ArchiveKind.Zip);
        var error = await RefusedAsync(archive, ArchiveKind.Zip, o =>
        {
            o.Archive.MaxExpansionRatio = 50;
            o.Archive.RatioCheckAfterBytes = 4 << 20;
        });
        Assert.Contains("'shapes/circle/bomb.png'", error.Message);
        Assert.Contains("MaxExpansionRatio", error.Message);
    }

    [Fact]
    public async Task Total_extracted_size_over_the_limit_is_refused()
    {
        var archive = GoodImages().Add("shapes/square/big.png", new byte[3 << 20]).Build(ArchiveKind.TarGzip);
        var error = await RefusedAsync(archive, ArchiveKind.TarGzip, o => o.Archive.MaxExtractedBytes = 2 << 20);
        Assert.Contains("'shapes/square/big.png'", error.Message);
        Assert.Contains("MaxExtractedBytes", error.Message);
    }

    [Theory]
    [InlineData(ArchiveKind.Tar)]
    [InlineData(ArchiveKind.TarGzip)]
    [InlineData(ArchiveKind.Zip)]
    public async Task Truncated_archives_are_refused(ArchiveKind kind)
    {
        var archive = GoodImages().Build(kind);
        var error = await RefusedAsync(archive[..(archive.Length * 2 / 3)], kind);
        Assert.Contains("truncated or corrupt", error.Message);
    }

    [Fact]
    public async Task Zip_entry_whose_data_fails_its_crc_is_refused()
    {
        // An uncompressed ("stored") entry: changing one of its bytes leaves nothing to notice but its CRC-32.
        var payload = new byte[20_000];
        new Random(5).NextBytes(payload);
        "MARKER"u8.CopyTo(payload.AsSpan(10_000));
        var archive = GoodImages().AddUncompressed("shapes/notes.bin", payload).Build(ArchiveKind.Zip);
        var at = archive.AsSpan().IndexOf("MARKER"u8);
        Assert.True(at > 0, "the marker must be in the stored entry");
        archive[at] = (byte)'N';
        var error = await RefusedAsync(archive, ArchiveKind.Zip);
        Assert.Contains("shapes/notes.bin", error.Message);
    }

    [Fact]
    public async Task Upload_that_does_not_match_its_declared_sha256_is_refused()
    {
        await using var harness = await DomainHarness.CreateAsync(database);
        await harness.CreateDatasetAsync("shapes", TaskType.Classification);
        var archive = GoodImages().Build(ArchiveKind.Tar);
        var header = Header(ArchiveKind.Tar);
        header.Upload = new ArchiveUpload { Sha256 = new string('0', 64) };
        var error = await Assert.ThrowsAsync<DomainException>(() => harness.ImportAsync(header, archive));
        Assert.Contains("header.upload.sha256", error.Message);
        Assert.Empty(harness.StoredObjects());
    }
}
