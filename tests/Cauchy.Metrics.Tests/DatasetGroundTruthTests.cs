using System.Text.Json;
using Cauchy.Cli.Coco;
using Cauchy.Metrics.Tests.Support;
using Cauchy.V1;
using Grpc.Core;
using Xunit;

namespace Cauchy.Metrics.Tests;

/// <summary>
/// Evaluations against an imported dataset version (header.ground_truth): the metrics service reads the split from a
/// real datasets service and joins it with the streamed predictions. The COCO reference cases, imported as COCO
/// datasets, give pycocotools' numbers; the stored evaluation names the version, the split and the predictions' digest.
/// </summary>
public sealed class DatasetGroundTruthTests(GroundTruthPlatform platform, MetricsServiceFixture alone)
    : IClassFixture<GroundTruthPlatform>, IClassFixture<MetricsServiceFixture>
{
    private const double Tolerance = 1e-9;
    private const string Digest = "5f2b7c0e9a1d3b4c6e8f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d";

    [Theory]
    [InlineData("c1_tiny_bbox")]
    [InlineData("c2_areas_bbox")]
    [InlineData("c3_maxdets_bbox")]
    [InlineData("c4_segm")]
    [InlineData("c5_medium_bbox")]
    public async Task Coco_bbox_against_an_imported_version_equals_pycocotools(string name)
    {
        var reference = CocoReference.Load(name);
        var version = await ImportCocoAsync(name);

        var evaluation = (await EvaluateAsync(Header(EvaluationKind.DetectionCoco, version, Split.Test), Results(reference.ResultsPath))).Evaluation;

        var expected = reference.Stats("bbox");
        var result = evaluation.Detection;
        Assert.Equal(12, result.Stats.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - result.Stats[i]) <= Tolerance, $"stats[{i}]: expected {expected[i]:R}, got {result.Stats[i]:R}");
        }

        var perCategory = reference.PerCategory("bbox");
        Assert.Equal(perCategory.Keys.Order(), result.PerClass.Select(c => c.ClassId));
        foreach (var c in result.PerClass)
        {
            var (ap, ap50, ar100) = perCategory[c.ClassId];
            Assert.True(Math.Abs(ap - c.Ap) <= Tolerance, $"category {c.ClassId} AP: expected {ap:R}, got {c.Ap:R}");
            Assert.True(Math.Abs(ap50 - c.Ap50) <= Tolerance, $"category {c.ClassId} AP50: expected {ap50:R}, got {c.Ap50:R}");
            Assert.True(Math.Abs(ar100 - c.Ar100) <= Tolerance, $"category {c.ClassId} AR100: expected {ar100:R}, got {c.Ar100:R}");
        }

        Assert.Equal(version.SplitCounts.Single(s => s.Split == Split.Test).SampleCount, evaluation.SampleCount);
    }

    [Fact]
    public async Task The_evaluation_is_stored_with_the_version_the_split_and_the_predictions_digest()
    {
        var version = await ImportCocoAsync("c1_tiny_bbox");

        var answered = (await EvaluateAsync(Header(EvaluationKind.DetectionCoco, version, Split.Test), Results(CocoReference.Load("c1_tiny_bbox").ResultsPath))).Evaluation;
        var stored = (await platform.Metrics.GetEvaluationAsync(new GetEvaluationRequest { EvaluationId = answered.Id })).Evaluation;

        Assert.Equal(answered, stored);
        Assert.Equal(new DatasetVersionRef { DatasetId = version.DatasetId, VersionId = version.VersionId }, stored.DatasetVersion);
        Assert.Equal(Split.Test, stored.Split);
        Assert.Equal(Digest, stored.PredictionsSha256);
        Assert.True(stored.GroundTruthFromDataset);
        Assert.Equal(version.ClassNames, stored.Detection.PerClass.Select(c => c.ClassName));

        var listed = await platform.Metrics.ListEvaluationsAsync(new ListEvaluationsRequest
        {
            DatasetVersion = new DatasetVersionRef { DatasetId = version.DatasetId, VersionId = version.VersionId },
        });
        Assert.Contains(answered.Id, listed.Evaluations.Select(e => e.Id));
        Assert.All(listed.Evaluations, e => Assert.Equal(version.VersionId, e.DatasetVersion.VersionId));
    }

    [Fact]
    public async Task A_prediction_for_an_image_outside_the_split_is_invalid_argument_naming_it()
    {
        var version = await ImportCocoAsync("c1_tiny_bbox");
        var batch = new CocoImages();
        batch.Images.Add(new CocoImage { ImageId = 1, Detections = { new CocoDetection { CategoryId = 1, Score = 0.5, Bbox = new CocoBox { Width = 4, Height = 4 } } } });
        batch.Images.Add(new CocoImage { ImageId = 424242, Detections = { new CocoDetection { CategoryId = 1, Score = 0.5, Bbox = new CocoBox { Width = 4, Height = 4 } } } });

        var error = await Assert.ThrowsAsync<RpcException>(() => EvaluateAsync(Header(EvaluationKind.DetectionCoco, version, Split.Test), [batch]));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("image_id '424242'", error.Status.Detail);
        Assert.Contains(version.VersionId, error.Status.Detail);
    }

    [Fact]
    public async Task Ground_truth_sent_beside_a_dataset_version_is_invalid_argument()
    {
        var version = await ImportCocoAsync("c1_tiny_bbox");
        var batch = new CocoImages();
        batch.Images.Add(new CocoImage { ImageId = 1, Annotations = { new CocoAnnotation { Id = 1, CategoryId = 1, Bbox = new CocoBox { Width = 4, Height = 4 }, Area = 16 } } });

        var error = await Assert.ThrowsAsync<RpcException>(() => EvaluateAsync(Header(EvaluationKind.DetectionCoco, version, Split.Test), [batch]));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("annotations", error.Status.Detail);
    }

    [Fact]
    public async Task A_dataset_version_or_split_that_does_not_exist_is_not_found_naming_it()
    {
        var version = await ImportCocoAsync("c1_tiny_bbox");
        var missingDataset = Header(EvaluationKind.DetectionCoco, version, Split.Test);
        missingDataset.GroundTruth.DatasetId = "no-such-dataset";
        var missingVersion = Header(EvaluationKind.DetectionCoco, version, Split.Test);
        missingVersion.GroundTruth.VersionId = new string('0', 64);

        var dataset = await Assert.ThrowsAsync<RpcException>(() => EvaluateAsync(missingDataset, []));
        var versionError = await Assert.ThrowsAsync<RpcException>(() => EvaluateAsync(missingVersion, []));
        var split = await Assert.ThrowsAsync<RpcException>(() => EvaluateAsync(Header(EvaluationKind.DetectionCoco, version, Split.Train), []));

        Assert.Equal(StatusCode.NotFound, dataset.StatusCode);
        Assert.Contains("dataset 'no-such-dataset' does not exist", dataset.Status.Detail);
        Assert.Equal(StatusCode.NotFound, versionError.StatusCode);
        Assert.Contains($"version '{new string('0', 64)}'", versionError.Status.Detail);
        Assert.Equal(StatusCode.NotFound, split.StatusCode);
        Assert.Contains("the train split", split.Status.Detail);
    }

    [Fact]
    public async Task A_kind_that_does_not_fit_the_datasets_task_is_a_failed_precondition()
    {
        var version = await ImportCocoAsync("c1_tiny_bbox");
        var segm = Header(EvaluationKind.DetectionCoco, version, Split.Test);
        segm.Coco = new CocoOptions { IouType = CocoIouType.Segm };

        var segmentation = await Assert.ThrowsAsync<RpcException>(() => EvaluateAsync(Header(EvaluationKind.Segmentation, version, Split.Test), []));
        var masks = await Assert.ThrowsAsync<RpcException>(() => EvaluateAsync(segm, []));

        Assert.Equal(StatusCode.FailedPrecondition, segmentation.StatusCode);
        Assert.Contains("annotated for detection", segmentation.Status.Detail);
        Assert.Equal(StatusCode.FailedPrecondition, masks.StatusCode);
        Assert.Contains("instance masks", masks.Status.Detail);
    }

    [Fact]
    public async Task Without_a_datasets_address_the_service_refuses_with_failed_precondition()
    {
        var header = new EvaluationHeader
        {
            Kind = EvaluationKind.DetectionCoco,
            GroundTruth = new DatasetGroundTruth { DatasetId = "any", VersionId = new string('a', 64), Split = Split.Test },
        };

        var error = await Assert.ThrowsAsync<RpcException>(() => EvaluateStream.SendAsync(alone.Client, [new EvaluateRequest { Header = header }]));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("Services:Datasets:Address", error.Status.Detail);
    }

    private Task<DatasetVersion> ImportCocoAsync(string name) =>
        platform.ImportAsync($"coco-{name.Replace('_', '-')}", TaskType.Detection, DatasetFormat.CocoJson,
            () => DatasetArchives.Coco(CocoReference.Load(name).GroundTruthPath));

    private static EvaluationHeader Header(EvaluationKind kind, DatasetVersion version, Split split) => new()
    {
        Kind = kind,
        GroundTruth = new DatasetGroundTruth { DatasetId = version.DatasetId, VersionId = version.VersionId, Split = split },
        PredictionsSha256 = Digest,
    };

    private static List<CocoImages> Results(string path)
    {
        using var results = JsonDocument.Parse(File.ReadAllBytes(path));
        return [.. CocoFiles.ReadResults(results.RootElement, CocoIouType.Bbox).Chunk(16).Select(chunk => new CocoImages { Images = { chunk } })];
    }

    private Task<EvaluateResponse> EvaluateAsync(EvaluationHeader header, IEnumerable<CocoImages> batches) =>
        EvaluateStream.SendAsync(platform.Metrics, [new EvaluateRequest { Header = header }, .. batches.Select(b => new EvaluateRequest { Batch = new PredictionBatch { Coco = b } })]);
}
