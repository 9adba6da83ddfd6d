using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Cauchy.Cli;
using Cauchy.Datasets.Tests.Support;
using Cauchy.Metrics.Tests.Support;
using Cauchy.Testing;
using Cauchy.V1;
using Xunit;

namespace Cauchy.Cli.Tests;

/// <summary>
/// <c>cauchy eval run</c> against real datasets and metrics services: a predictions file or folder evaluated against a
/// split of an imported version gives the numbers of the file-based commands on the same data (pycocotools' for
/// COCO), and the stored evaluation shows where it came from.
/// </summary>
public sealed class EvalRunTests(GroundTruthPlatform platform) : IClassFixture<GroundTruthPlatform>
{
    private static string Case(string name) => Path.Combine(RepositoryRoot.Find(), "tests", "Cauchy.Metrics.Tests", "reference", "coco", name);

    [Fact]
    public async Task Coco_results_against_an_imported_version_give_pycocotools_numbers_and_are_shown_with_their_lineage()
    {
        var version = await ImportCocoAsync("c2_areas_bbox");
        var results = Path.Combine(Case("c2_areas_bbox"), "dt.json");

        var (code, output, error) = await RunAsync("eval", "run", "--dataset", $"{version.DatasetId}@{version.VersionId}", "--split", "test",
            "--predictions", results, "--kind", "coco-bbox", "-o", "json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var stats = json.RootElement.GetProperty("detection").GetProperty("stats").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Case("c2_areas_bbox"), "expected.json")));
        var want = expected.RootElement.GetProperty("results").GetProperty("bbox").GetProperty("stats").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(12, stats.Length);
        Assert.All(want.Zip(stats), p => Assert.Equal(p.First, p.Second, 1e-9));

        var id = json.RootElement.GetProperty("id").GetString()!;
        var digest = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(results)));
        var (showCode, shown, showError) = await RunAsync("eval", "show", id);
        Assert.True(showCode == 0, showError);
        Assert.Contains($"{version.DatasetId}@{version.VersionId} (test)", shown);
        Assert.Contains($"sha256:{digest}", shown);
        Assert.Contains("read from the dataset version", shown);
        Assert.Contains(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = " + want[0].ToString("F3", CultureInfo.InvariantCulture), shown);

        var (jsonCode, shownJson, _) = await RunAsync("eval", "show", id, "-o", "json");
        Assert.Equal(0, jsonCode);
        using var stored = JsonDocument.Parse(shownJson);
        Assert.Equal(version.VersionId, stored.RootElement.GetProperty("datasetVersion").GetProperty("versionId").GetString());
        Assert.Equal("SPLIT_TEST", stored.RootElement.GetProperty("split").GetString());
        Assert.Equal(digest, stored.RootElement.GetProperty("predictionsSha256").GetString());
        Assert.True(stored.RootElement.GetProperty("groundTruthFromDataset").GetBoolean());

        var (listCode, listed, _) = await RunAsync("eval", "list", "--dataset", version.DatasetId, "-o", "json");
        var (otherCode, other, _) = await RunAsync("eval", "list", "--dataset", $"{version.DatasetId}@{new string('0', 64)}", "-o", "json");
        Assert.Equal(0, listCode);
        Assert.Equal(0, otherCode);
        Assert.Contains(id, listed);
        Assert.DoesNotContain(id, other);
    }

    // The case of `eval voc`'s tests: cat AP 5/9, dog AP 1 (an IoU of exactly 0.5 under the devkit's +1 convention).
    [Fact]
    public async Task Voc_results_against_an_imported_version_equal_the_file_based_evaluation()
    {
        (string Id, int Width, int Height, (string, int, int, int, int, bool)[] Objects)[] images =
        [
            ("a", 300, 300, [("cat", 11, 11, 50, 50, false), ("cat", 61, 11, 90, 50, false), ("cat", 101, 101, 140, 140, true)]),
            ("b", 100, 100, [("cat", 1, 1, 20, 20, false), ("dog", 31, 31, 40, 40, false)]),
        ];
        var version = await platform.ImportAsync("voc-eval-run", TaskType.Detection, DatasetFormat.PascalVoc, () => DatasetArchives.Voc(images));
        var folder = Directory.CreateTempSubdirectory("cauchy-voc-run-").FullName;
        var annotations = Directory.CreateDirectory(Path.Combine(folder, "Annotations")).FullName;
        var results = Directory.CreateDirectory(Path.Combine(folder, "results")).FullName;
        foreach (var (id, width, height, objects) in images)
        {
            File.WriteAllText(Path.Combine(annotations, id + ".xml"), DatasetArchives.VocAnnotation(width, height, objects));
        }

        File.WriteAllText(Path.Combine(results, "comp4_det_test_cat.txt"), "a 0.8 11 11 50 50\na 0.9 11 11 50 50\na 0.7 101 101 140 140\nb 0.6 1 1 20 20\na 0.5 201 201 220 220\n");
        File.WriteAllText(Path.Combine(results, "comp4_det_test_dog.txt"), "b 0.4 31 31 40 35\n");

        var (fileCode, fileOutput, fileError) = await RunAsync("eval", "voc", "--annotations", annotations, "--results", results, "-o", "json");
        var (code, output, error) = await RunAsync("eval", "run", "--dataset", $"{version.DatasetId}@{version.VersionId}", "--predictions", results, "--kind", "voc", "-o", "json");

        Assert.True(fileCode == 0, fileError);
        Assert.True(code == 0, error);
        using var fileJson = JsonDocument.Parse(fileOutput);
        using var json = JsonDocument.Parse(output);
        var detection = json.RootElement.GetProperty("detection");
        Assert.Equal(7.0 / 9, fileJson.RootElement.GetProperty("map").GetDouble(), 1e-12);
        Assert.Equal(fileJson.RootElement.GetProperty("map").GetDouble(), detection.GetProperty("map").GetDouble(), 1e-12);
        Assert.Equal(
            fileJson.RootElement.GetProperty("per_class").EnumerateArray().Select(c => (c.GetProperty("class_name").GetString(), c.GetProperty("ap").GetDouble())),
            detection.GetProperty("perClass").EnumerateArray().Select(c => (c.GetProperty("className").GetString(), c.GetProperty("ap").GetDouble())));
        Assert.Equal("SPLIT_TEST", json.RootElement.GetProperty("split").GetString());
    }

    // The masks of `eval segmentation`'s tests: pixel accuracy 5/7, mean IoU 11/20.
    [Fact]
    public async Task Segmentation_masks_against_an_imported_version_equal_the_file_based_evaluation()
    {
        var truth = new Dictionary<string, byte[]> { ["first"] = PngWriter.Grey(2, 2, [0, 0, 1, 255]), ["second"] = PngWriter.Grey(2, 2, [1, 1, 0, 0]) };
        var predictedMasks = new Dictionary<string, byte[]> { ["first"] = PngWriter.Grey(2, 2, [0, 1, 1, 0]), ["second"] = PngWriter.Grey(2, 2, [1, 0, 0, 0]) };
        string[] classes = ["background", "road", "sky"];
        var version = await platform.ImportAsync("segmentation-eval-run", TaskType.Segmentation, DatasetFormat.SegmentationMasks,
            () => DatasetArchives.Segmentation(truth.Select(t => (t.Key, 2, 2, t.Value))), classes);
        var folder = Directory.CreateTempSubdirectory("cauchy-seg-run-").FullName;
        var truthFolder = Directory.CreateDirectory(Path.Combine(folder, "truth")).FullName;
        var flat = Directory.CreateDirectory(Path.Combine(folder, "predicted")).FullName;
        var predicted = Directory.CreateDirectory(Path.Combine(folder, "by-sample", "test")).FullName;
        foreach (var name in truth.Keys)
        {
            File.WriteAllBytes(Path.Combine(truthFolder, name + ".png"), truth[name]);
            File.WriteAllBytes(Path.Combine(flat, name + ".png"), predictedMasks[name]);
            File.WriteAllBytes(Path.Combine(predicted, name + ".png"), predictedMasks[name]);
        }

        var (fileCode, fileOutput, fileError) = await RunAsync("eval", "segmentation", "--ground-truth", truthFolder, "--predictions", flat, "--num-classes", "3", "-o", "json");
        var (code, output, error) = await RunAsync("eval", "run", "--dataset", $"{version.DatasetId}@{version.VersionId}",
            "--predictions", Path.Combine(folder, "by-sample"), "--kind", "segmentation", "-o", "json");

        Assert.True(fileCode == 0, fileError);
        Assert.True(code == 0, error);
        using var fileJson = JsonDocument.Parse(fileOutput);
        using var json = JsonDocument.Parse(output);
        var result = json.RootElement.GetProperty("segmentation");
        Assert.Equal(11.0 / 20, fileJson.RootElement.GetProperty("mean_iou").GetDouble(), 1e-12);
        Assert.Equal(fileJson.RootElement.GetProperty("mean_iou").GetDouble(), result.GetProperty("meanIou").GetDouble(), 1e-12);
        Assert.Equal(fileJson.RootElement.GetProperty("pixel_accuracy").GetDouble(), result.GetProperty("pixelAccuracy").GetDouble(), 1e-12);
        Assert.Equal(fileJson.RootElement.GetProperty("mean_class_accuracy").GetDouble(), result.GetProperty("meanClassAccuracy").GetDouble(), 1e-12);
        Assert.Equal(fileJson.RootElement.GetProperty("frequency_weighted_iou").GetDouble(), result.GetProperty("frequencyWeightedIou").GetDouble(), 1e-12);
        Assert.Equal("2", json.RootElement.GetProperty("sampleCount").GetString());
    }

    [Fact]
    public async Task A_result_for_an_image_outside_the_split_is_an_error_naming_it()
    {
        var version = await ImportCocoAsync("c1_tiny_bbox");
        var results = Path.Combine(Directory.CreateTempSubdirectory("cauchy-coco-run-").FullName, "dt.json");
        await File.WriteAllTextAsync(results, """[{"image_id": 99999, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5}]""");

        var (code, _, error) = await RunAsync("eval", "run", "--dataset", $"{version.DatasetId}@{version.VersionId}", "--predictions", results, "--kind", "coco-bbox");

        Assert.NotEqual(0, code);
        Assert.Contains("image_id '99999'", error);
    }

    [Fact]
    public async Task A_dataset_without_a_version_is_refused_before_anything_is_sent()
    {
        var (code, _, error) = await RunAsync("eval", "run", "--dataset", "some-dataset", "--predictions", Case("c1_tiny_bbox"), "--kind", "coco-bbox");

        Assert.NotEqual(0, code);
        Assert.Contains("DATASET@VERSION", error);
    }

    private Task<DatasetVersion> ImportCocoAsync(string name) =>
        platform.ImportAsync($"coco-run-{name.Replace('_', '-')}", TaskType.Detection, DatasetFormat.CocoJson, () => DatasetArchives.Coco(Path.Combine(Case(name), "gt.json")));

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new Dictionary<string, string?>
        {
            ["CAUCHY_METRICS_ADDRESS"] = platform.MetricsService.Address.ToString(),
            ["CAUCHY_DATASETS_ADDRESS"] = platform.DatasetsService.Address.ToString(),
        };
        var code = await CauchyCli.RunAsync(args, output, error, environment.GetValueOrDefault, interactive: false);
        return (code, output.ToString(), error.ToString());
    }
}
