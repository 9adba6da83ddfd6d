using System.IO.Compression;
using Cauchy.Datasets.Tests.Support;
using Cauchy.Testing;
using Cauchy.V1;

namespace Cauchy.Datasets.Tests.Domain;

/// <summary>Generated sample sets in every format import with the counts and class histograms the generator drew.</summary>
public sealed class FormatImportTests(SqliteFixture database) : IClassFixture<SqliteFixture>
{
    private static readonly SplitSpec KeepSplits = new() { KeepSourceSplits = true, TrainFraction = 1 };

    private static long[] BoxesPerClass(IEnumerable<ShapeImage> images) =>
        Enumerable.Range(0, Shapes.ClassNames.Length).Select(c => (long)images.Sum(i => i.Objects.Count(o => o.ClassId == c))).ToArray();

    private static SplitStatistics Split(DatasetStatistics statistics, Split split) => statistics.Splits.Single(s => s.Split == split);

    [Theory]
    [InlineData(ArchiveKind.Tar)]
    [InlineData(ArchiveKind.TarGzip)]
    [InlineData(ArchiveKind.Zip)]
    public async Task Coco_set_imports_with_its_counts_and_box_histogram(ArchiveKind kind)
    {
        var images = Shapes.Generate(30, seed: 11);
        await using var harness = await DomainHarness.CreateAsync(database);
        await harness.CreateDatasetAsync("coco", TaskType.Detection);

        var outcome = await harness.ImportAsync(new ImportDatasetVersionHeader
        {
            DatasetId = "coco",
            Format = DatasetFormat.CocoJson,
            ArchiveKind = kind,
            Split = KeepSplits,
        }, SampleSets.Coco(images, trainCount: 20).Build(kind));

        var version = outcome.Version.Version;
        Assert.Equal(Shapes.ClassNames, version.ClassNames);
        Assert.Equal(30, version.SampleCount);
        Assert.Empty(outcome.Report.IssueCounts);
        var statistics = outcome.Version.Statistics;
        Assert.Equal(20, Split(statistics, V1.Split.Train).SampleCount);
        Assert.Equal(10, Split(statistics, V1.Split.Validation).SampleCount);
        Assert.Equal(BoxesPerClass(images.Take(20)), Split(statistics, V1.Split.Train).ClassHistogram.Select(c => c.InstanceCount));
        Assert.Equal(BoxesPerClass(images.Skip(20)), Split(statistics, V1.Split.Validation).ClassHistogram.Select(c => c.InstanceCount));

        // Boxes come back exactly as drawn (COCO [x, y, w, h] -> [x_min, y_min, x_max, y_max]), and crowd flags survive.
        var samples = await harness.ReadAllAsync(outcome.Version);
        var byId = samples.ToDictionary(s => s.Id);
        for (var i = 0; i < images.Count; i++)
        {
            var sample = byId[(1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)];
            Assert.Equal(
                images[i].Objects.Select(o => (o.ClassId, (float)o.X0, (float)o.Y0, (float)o.X1, (float)o.Y1)),
                sample.Detection.Boxes.Select(b => (b.ClassId, b.Box.XMin, b.Box.YMin, b.Box.XMax, b.Box.YMax)));
            Assert.Equal(images[i].Png(), sample.Image.ToByteArray());
            Assert.Equal(images[i].Objects.Select(o => (double)((o.X1 - o.X0) * (o.Y1 - o.Y0))), sample.Detection.Boxes.Select(b => b.Area));
        }
        Assert.Contains(samples, s => s.Detection.Boxes.Any(b => b.Crowd));

        // What COCO results refer to survives as well (as, above, the areas that place objects in size ranges).
        Assert.Equal([1L, 2L, 3L], version.ClassSourceIds);
    }

    [Fact]
    public async Task Voc_set_imports_with_its_counts_and_box_histogram()
    {
        var images = Shapes.Generate(25, seed: 12);
        await using var harness = await DomainHarness.CreateAsync(database);
        await harness.CreateDatasetAsync("voc", TaskType.Detection);

        var outcome = await harness.ImportAsync(new ImportDatasetVersionHeader
        {
            DatasetId = "voc",
            Format = DatasetFormat.PascalVoc,
            ArchiveKind = ArchiveKind.TarGzip,
            Split = KeepSplits,
        }, SampleSets.Voc(images, trainCount: 15).Build(ArchiveKind.TarGzip));

        Assert.Equal(Shapes.ClassNames, outcome.Version.Version.ClassNames);
        var statistics = outcome.Version.Statistics;
        Assert.Equal(15, Split(statistics, V1.Split.Train).SampleCount);
        Assert.Equal(10, Split(statistics, V1.Split.Validation).SampleCount);
        Assert.Equal(BoxesPerClass(images.Take(15)), Split(statistics, V1.Split.Train).ClassHistogram.Select(c => c.InstanceCount));
        Assert.Equal(BoxesPerClass(images.Skip(15)), Split(statistics, V1.Split.Validation).ClassHistogram.Select(c => c.InstanceCount));

        var sample = (await harness.ReadAllAsync(outcome.Version)).Single(s => s.Id == images[0].Name);
        Assert.Equal(
            images[0].Objects.Select(o => ((float)o.X0, (float)o.Y0, (float)o.X1, (float)o.Y1)),
            sample.Detection.Boxes.Select(b => (b.Box.XMin, b.Box.YMin, b.Box.XMax, b.Box.YMax)));
        Assert.Equal(images[0].Objects.Select((_, i) => i % 4 == 3), sample.Detection.Boxes.Select(b => b.Difficult));
    }

    [Fact]
    public async Task Segmentation_mask_set_imports_with_pixel_histogram_and_masks_intact()
    {
        var images = Shapes.Generate(12, seed: 13);
        await using var harness = await DomainHarness.CreateAsync(database);
        await harness.CreateDatasetAsync("masks", TaskType.Segmentation);

        var outcome = await harness.ImportAsync(new ImportDatasetVersionHeader
        {
            DatasetId = "masks",
            Format = DatasetFormat.SegmentationMasks,
            ArchiveKind = ArchiveKind.Zip,
            ClassNames = { SampleSets.MaskClassNames },
            Split = new SplitSpec { Seed = 5, TrainFraction = 0.5, ValidationFraction = 0.25, TestFraction = 0.25 },
        }, SampleSets.Masks(images).Build(ArchiveKind.Zip));

        Assert.Equal(12, outcome.Version.Version.SampleCount);
        var samples = await harness.ReadAllAsync(outcome.Version);
        foreach (var split in outcome.Version.Statistics.Splits)
        {
            var inSplit = samples.Where(s => s.Split == split.Split).Select(s => images.Single(i => i.Name == s.Id)).ToList();
            Assert.Equal(inSplit.Count, split.SampleCount);
            var expected = Enumerable.Range(0, 4).Select(c => (long)inSplit.Sum(i => i.Mask.Count(v => v == c))).ToArray();
            Assert.Equal(expected, split.ClassHistogram.Select(c => c.InstanceCount));
            Assert.Equal(3, split.PixelMean.Count);
        }
        Assert.Equal(new[] { 6L, 3L, 3L }, outcome.Version.Version.SplitCounts.Select(c => c.SampleCount));
        var first = samples.Single(s => s.Id == images[0].Name);
        Assert.Equal(images[0].MaskPng(), first.Mask.Data.ToByteArray());
    }

    [Fact]
    public async Task Image_folder_imports_classes_from_folder_names_and_computes_pixel_statistics()
    {
        var images = Shapes.Generate(20, seed: 14);
        await using var harness = await DomainHarness.CreateAsync(database);
        await harness.CreateDatasetAsync("folders", TaskType.Classification);

        var outcome = await harness.ImportAsync(new ImportDatasetVersionHeader
        {
            DatasetId = "folders",
            Format = DatasetFormat.ImageFolder,
            ArchiveKind = ArchiveKind.Tar,
            Split = new SplitSpec { TrainFraction = 1 },
        }, SampleSets.ImageFolder(images).Build(ArchiveKind.Tar));

        var present = Shapes.ClassNames.Where(n => images.Any(i => Shapes.ClassNames[i.Objects[0].ClassId] == n)).ToList();
        Assert.Equal(present, outcome.Version.Version.ClassNames);
        var train = Split(outcome.Version.Statistics, V1.Split.Train);
        Assert.Equal(present.Select(n => (long)images.Count(i => Shapes.ClassNames[i.Objects[0].ClassId] == n)), train.ClassHistogram.Select(c => c.SampleCount));

        // Mean of the red channel over every pixel, computed here from the generated pixels.
        var red = images.SelectMany(i => i.Rgb.Where((_, p) => p % 3 == 0)).Average(v => v / 255.0);
        Assert.Equal(red, train.PixelMean[0], precision: 9);
        Assert.Equal(64, train.ImageSizes.MaxWidth);
        Assert.Equal(20, train.ImageSizes.ChannelHistogram[3]);
    }

    [Fact]
    public async Task Fashion_mnist_idx_files_import_with_the_label_counts_of_the_files()
    {
        const string folder = "/usr/share/datasets/fashion-mnist";
        Assert.True(Directory.Exists(folder), "install the Debian package dataset-fashion-mnist (make deps)");
        await using var harness = await DomainHarness.CreateAsync(database, o => o.Shards.MaxSamples = 25_000);
        await harness.CreateDatasetAsync("fashion", TaskType.Classification);
        var archive = new ArchiveBuilder();
        foreach (var file in Directory.GetFiles(folder, "*-ubyte.gz"))
        {
            archive.Add(Path.GetFileName(file), File.ReadAllBytes(file));
        }

        var outcome = await harness.ImportAsync(new ImportDatasetVersionHeader
        {
            DatasetId = "fashion",
            Format = DatasetFormat.Idx,
            ArchiveKind = ArchiveKind.Tar,
            Split = new SplitSpec { KeepSourceSplits = true, TrainFraction = 1 },
        }, archive.Build(ArchiveKind.Tar));

        long[] Counts(string labels)
        {
            using var gzip = new GZipStream(File.OpenRead(Path.Combine(folder, labels)), CompressionMode.Decompress);
            using var memory = new MemoryStream();
            gzip.CopyTo(memory);
            var bytes = memory.ToArray()[8..];
            return Enumerable.Range(0, 10).Select(c => (long)bytes.Count(b => b == c)).ToArray();
        }
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), outcome.Version.Version.ClassNames);
        Assert.Equal(Counts("train-labels-idx1-ubyte.gz"), Split(outcome.Version.Statistics, V1.Split.Train).ClassHistogram.Select(c => c.SampleCount));
        Assert.Equal(Counts("t10k-labels-idx1-ubyte.gz"), Split(outcome.Version.Statistics, V1.Split.Test).ClassHistogram.Select(c => c.SampleCount));
        Assert.Equal(3, outcome.Version.Manifest.Splits.Single(s => s.Split == V1.Split.Train).Shards.Count);
        var train = Split(outcome.Version.Statistics, V1.Split.Train);
        Assert.Equal((28, 28), (train.ImageSizes.MinWidth, train.ImageSizes.MaxHeight));
        Assert.InRange(train.PixelMean.Single(), 0.2, 0.4);

        // The first test image: RAW 28x28 bytes exactly as in the file, id "test/0".
        var shard = outcome.Version.Manifest.Splits.Single(s => s.Split == V1.Split.Test).Shards[0];
        Sample? first = null;
        await foreach (var batch in harness.Reader.ReadAsync(shard, 0, 1000, CancellationToken.None))
        {
            first ??= batch.FirstOrDefault(s => s.Id == "test/0");
        }
        Assert.NotNull(first);
        using var images = new GZipStream(File.OpenRead(Path.Combine(folder, "t10k-images-idx3-ubyte.gz")), CompressionMode.Decompress);
        var expected = new byte[16 + 784];
        images.ReadExactly(expected);
        Assert.Equal(expected[16..], first.Image.ToByteArray());
        Assert.Equal(ImageEncoding.Raw, first.ImageEncoding);
    }
}
