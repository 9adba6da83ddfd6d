using Cauchy.Datasets.Domain;
using Cauchy.Datasets.Import;
using Cauchy.Datasets.Tests.Support;
using Cauchy.Domain;
using Cauchy.Testing;
using Cauchy.V1;

namespace Cauchy.Datasets.Tests.Domain;

/// <summary>The validation report and both invalid-sample policies.</summary>
public sealed class ValidationTests(SqliteFixture database) : IClassFixture<SqliteFixture>
{
    private static long Count(ValidationReport report, ValidationIssueKind kind) =>
        report.IssueCounts.SingleOrDefault(c => c.Kind == kind)?.Count ?? 0;

    [Fact]
    public async Task Coco_with_unknown_category_ids_is_rejected_naming_the_ids_and_stores_nothing()
    {
        var images = Shapes.Generate(6, seed: 21);
        var archive = SampleSets.Coco(images, trainCount: 4, document =>
        {
            var annotations = (List<object>)document["annotations"];
            ((Dictionary<string, object>)annotations[0])["category_id"] = 42;
            ((Dictionary<string, object>)annotations[1])["category_id"] = 77;
        }).Build(ArchiveKind.Zip);
        await using var harness = await DomainHarness.CreateAsync(database);
        await harness.CreateDatasetAsync("coco", TaskType.Detection);

        var error = await Assert.ThrowsAsync<ImportRejectedException>(() => harness.ImportAsync(new ImportDatasetVersionHeader
        {
            DatasetId = "coco",
            Format = DatasetFormat.CocoJson,
            ArchiveKind = ArchiveKind.Zip,
            InvalidSamples = InvalidSamplePolicy.RejectImport,
        }, archive));

        Assert.Equal(DomainErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("category_id 42", error.Message);
        Assert.Contains("category_id 77", error.Message);
        Assert.Equal(2, Count(error.Report!, ValidationIssueKind.UnknownClassId));
        Assert.Empty(harness.StoredObjects());

        // The same archive with DROP_INVALID: the two boxes go, their images stay.
        var outcome = await harness.ImportAsync(new ImportDatasetVersionHeader
        {
            DatasetId = "coco",
            Format = DatasetFormat.CocoJson,
            ArchiveKind = ArchiveKind.Zip,
            InvalidSamples = InvalidSamplePolicy.DropInvalid,
        }, archive);
        Assert.Equal(6, outcome.Report.SamplesAccepted);
        Assert.Equal(2, outcome.Report.AnnotationsChanged);
        Assert.Equal(images.Sum(i => i.Objects.Count) - 2, outcome.Version.Statistics.Splits.Sum(s => s.ClassHistogram.Sum(c => c.InstanceCount)));
    }

    [Fact]
    public async Task A_voc_annotation_with_a_dtd_is_malformed_and_its_entities_are_not_expanded()
    {
        var images = Shapes.Generate(5, seed: 23);
        var archive = SampleSets.Voc(images, trainCount: 3);
        var entities = "<!ENTITY e0 \"laughlaugh\">" + string.Concat(Enumerable.Range(1, 4).Select(i => $"<!ENTITY e{i} \"{string.Concat(Enumerable.Repeat($"&e{i - 1};", 10))}\">"));
        archive.Add("VOC2012/JPEGImages/laughs.png", images[0].Png());
        archive.AddText("VOC2012/Annotations/laughs.xml", $"""
            <?xml version="1.0"?>
            <!DOCTYPE annotation [{entities}]>
            <annotation><filename>laughs.png</filename><size><width>{images[0].Width}</width><height>{images[0].Height}</height><depth>3</depth></size>
            <object><name>&e4;</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object></annotation>
            """);
        await using var harness = await DomainHarness.CreateAsync(database);
        await harness.CreateDatasetAsync("voc", TaskType.Detection);

        var outcome = await harness.ImportAsync(new ImportDatasetVersionHeader
        {
            DatasetId = "voc",
            Format = DatasetFormat.PascalVoc,
            ArchiveKind = ArchiveKind.TarGzip,
            InvalidSamples = InvalidSamplePolicy.DropInvalid,
        }, archive.Build(ArchiveKind.TarGzip));

        Assert.Equal(1, Count(outcome.Report, ValidationIssueKind.MalformedAnnotation));
        Assert.Equal(Shapes.ClassNames, outcome.Version.Version.ClassNames);
    }

    [Fact]
    public async Task Corrupt_image_rejects_the_import_or_is_dropped()
    {
        var images = Shapes.Generate(5, seed: 22);
        var archive = SampleSets.ImageFolder(images);
        var truncated = images[0].Png()[..40];
        archive.Add("shapes/square/broken.png", truncated);
        var bytes = archive.Build(ArchiveKind.TarGzip);
        await using var harness = await DomainHarness.CreateAsync(database);
        await harness.CreateDatasetAsync("folders", TaskType.Classification);
        var header = new ImportDatasetVersionHeader { DatasetId = "folders", Format = DatasetFormat.ImageFolder, ArchiveKind = ArchiveKind.TarGzip };

        var error = await Assert.ThrowsAsync<ImportRejectedException>(() => harness.ImportAsync(header, bytes));
        Assert.Equal(DomainErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("CORRUPT_IMAGE", error.Message);
        Assert.Contains("shapes/square/broken.png", error.Message);
        Assert.Empty(harness.StoredObjects());

        header.InvalidSamples = InvalidSamplePolicy.DropInvalid;
        var outcome = await harness.ImportAsync(header, bytes);
        Assert.Equal((6L, 5L, 1L), (outcome.Report.SamplesSeen, outcome.Report.SamplesAccepted, outcome.Report.SamplesDropped));
        var issue = Assert.Single(outcome.Report.Issues);
        Assert.Equal((ValidationIssueKind.CorruptImage, "shapes/square/broken.png"), (issue.Kind, issue.SourcePath));
        Assert.Equal(5, outcome.Version.Version.SampleCount);
        Assert.Equal(outcome.Report, outcome.Version.Version.Validation);
    }

    [Fact]
    public async Task Boxes_outside_the_image_are_clipped_and_degenerate_or_unknown_ones_dropped()
    {
        var images = Shapes.Generate(3, seed: 23);
        var archive = SampleSets.Voc(images, trainCount: 3, (image, o, i) =>
            image != images[0] ? SampleSets.VocObject(Shapes.ClassNames[o.ClassId], o.X0 + 1, o.Y0 + 1, o.X1, o.Y1, false)
            : i == 0 ? SampleSets.VocObject("circle", 50, 40, 80, 60, false)      // past the 64x48 image: clipped to [49, 39, 64, 48)
            : SampleSets.VocObject("circle", 10, 10, 10, 20, false));            // zero width: dropped
        archive.AddText("VOC2012/Annotations/extra.xml",
            $"<annotation><filename>{images[1].Name}.png</filename>{SampleSets.VocObject("hexagon", 1, 1, 5, 5, false)}</annotation>");
        await using var harness = await DomainHarness.CreateAsync(database);
        await harness.CreateDatasetAsync("voc", TaskType.Detection);

        var outcome = await harness.ImportAsync(new ImportDatasetVersionHeader
        {
            DatasetId = "voc",
            Format = DatasetFormat.PascalVoc,
            ArchiveKind = ArchiveKind.Tar,
            ClassNames = { Shapes.ClassNames },
            InvalidSamples = InvalidSamplePolicy.DropInvalid,
        }, archive.Build(ArchiveKind.Tar));

        var report = outcome.Report;
        Assert.Equal(1, Count(report, ValidationIssueKind.BoxOutsideImage));
        Assert.Equal(images[0].Objects.Count - 1, Count(report, ValidationIssueKind.DegenerateBox));
        Assert.Equal(1, Count(report, ValidationIssueKind.UnknownClassId));
        var sample = (await harness.ReadAllAsync(outcome.Version)).Single(s => s.Id == images[0].Name);
        var clipped = sample.Detection.Boxes[0].Box;
        Assert.Equal((49f, 39f, 64f, 48f), (clipped.XMin, clipped.YMin, clipped.XMax, clipped.YMax));
        Assert.Single(sample.Detection.Boxes);
    }

    [Fact]
    public async Task Duplicate_coco_image_ids_are_reported_and_rejected()
    {
        var images = Shapes.Generate(4, seed: 24);
        var archive = SampleSets.Coco(images, trainCount: 4, document =>
        {
            var list = (List<object>)document["images"];
            ((Dictionary<string, object>)list[1])["id"] = ((Dictionary<string, object>)list[0])["id"];
        }).Build(ArchiveKind.Tar);
        await using var harness = await DomainHarness.CreateAsync(database);
        await harness.CreateDatasetAsync("coco", TaskType.Detection);
        var error = await Assert.ThrowsAsync<ImportRejectedException>(() => harness.ImportAsync(new ImportDatasetVersionHeader
        {
            DatasetId = "coco",
            Format = DatasetFormat.CocoJson,
            ArchiveKind = ArchiveKind.Tar,
        }, archive));
        Assert.Contains("DUPLICATE_ID", error.Message);
        Assert.Contains("'1000'", error.Message);
    }

    [Fact]
    public async Task Mask_of_the_wrong_size_or_with_unknown_values_drops_the_sample()
    {
        var images = Shapes.Generate(4, seed: 25);
        var archive = new ArchiveBuilder();
        foreach (var image in images)
        {
            archive.Add($"images/{image.Name}.png", image.Png());
        }
        archive.Add($"masks/{images[0].Name}.png", PngWriter.Grey(10, 10, new byte[100]));
        var unknown = (byte[])images[1].Mask.Clone();
        unknown[0] = 9;
        archive.Add($"masks/{images[1].Name}.png", PngWriter.Grey(64, 48, unknown));
        archive.Add($"masks/{images[2].Name}.png", images[2].MaskPng());
        archive.Add($"masks/{images[3].Name}.png", images[3].MaskPng());
        await using var harness = await DomainHarness.CreateAsync(database);
        await harness.CreateDatasetAsync("masks", TaskType.Segmentation);

        var outcome = await harness.ImportAsync(new ImportDatasetVersionHeader
        {
            DatasetId = "masks",
            Format = DatasetFormat.SegmentationMasks,
            ArchiveKind = ArchiveKind.Zip,
            ClassNames = { SampleSets.MaskClassNames },
            InvalidSamples = InvalidSamplePolicy.DropInvalid,
        }, archive.Build(ArchiveKind.Zip));

        Assert.Equal(1, Count(outcome.Report, ValidationIssueKind.MaskSizeMismatch));
        Assert.Equal(1, Count(outcome.Report, ValidationIssueKind.UnknownClassId));
        Assert.Contains("9", outcome.Report.Issues.Single(i => i.Kind == ValidationIssueKind.UnknownClassId).Message);
        Assert.Equal(2, outcome.Version.Version.SampleCount);
    }

    [Fact]
    public async Task Format_that_does_not_fit_the_task_is_a_failed_precondition()
    {
        await using var harness = await DomainHarness.CreateAsync(database);
        await harness.CreateDatasetAsync("folders", TaskType.Classification);
        var error = await Assert.ThrowsAsync<DomainException>(() => harness.ImportAsync(new ImportDatasetVersionHeader
        {
            DatasetId = "folders",
            Format = DatasetFormat.CocoJson,
            ArchiveKind = ArchiveKind.Tar,
        }, SampleSets.Coco(Shapes.Generate(2, 1), 2).Build(ArchiveKind.Tar)));
        Assert.Equal(DomainErrorKind.FailedPrecondition, error.Kind);
    }
}
