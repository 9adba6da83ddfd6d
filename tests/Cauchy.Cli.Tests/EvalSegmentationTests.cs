using System.Text.Json;
using Cauchy.Datasets.Tests.Support;
using Xunit;

namespace Cauchy.Cli.Tests;

/// <summary><c>cauchy eval segmentation</c> against the real metrics service, on PNG mask folders worked out by hand.</summary>
public sealed class EvalSegmentationTests(MetricsServiceFixture fixture) : IClassFixture<MetricsServiceFixture>
{
    // Two 2×2 masks (row-major), 255 = ignore:
    //   first:  truth [0 0 / 1 255], predicted [0 1 / 1 0];  second: truth [1 1 / 0 0], predicted [1 0 / 0 0].
    // Counted pixels (truth→predicted): 0→0 three times, 0→1 once, 1→0 once, 1→1 twice: 7 pixels, 5 right.
    //   Class 0: IoU 3/5, accuracy 3/4 (4 pixels). Class 1: IoU 2/4, accuracy 2/3 (3 pixels). Class 2: absent, left out.
    //   Pixel accuracy 5/7 = 0.7143, mean accuracy 17/24 = 0.7083, mean IoU 11/20 = 0.5500, fwIoU 39/70 = 0.5571.
    private static (string Truth, string Predicted) WriteCase()
    {
        var folder = Directory.CreateTempSubdirectory("cauchy-seg-").FullName;
        var truth = Directory.CreateDirectory(Path.Combine(folder, "truth")).FullName;
        var predicted = Directory.CreateDirectory(Path.Combine(folder, "predicted")).FullName;
        File.WriteAllBytes(Path.Combine(truth, "first.png"), PngWriter.Grey(2, 2, [0, 0, 1, 255]));
        File.WriteAllBytes(Path.Combine(predicted, "first.png"), PngWriter.Grey(2, 2, [0, 1, 1, 0]));
        File.WriteAllBytes(Path.Combine(truth, "second.png"), PngWriter.Palette(2, 2, [1, 1, 0, 0], [0, 0, 0, 128, 0, 0]));
        File.WriteAllBytes(Path.Combine(predicted, "second.png"), PngWriter.Grey(2, 2, [1, 0, 0, 0]));
        return (truth, predicted);
    }

    [Fact]
    public async Task The_table_gives_each_class_and_the_four_scores()
    {
        var (truth, predicted) = WriteCase();

        var (code, output, error) = await RunAsync("eval", "segmentation", "--ground-truth", truth, "--predictions", predicted, "--num-classes", "3", "--class-names", "background,road,sky");

        Assert.True(code == 0, error);
        Assert.Equal(
            [
                "CLASS           IOU  ACCURACY      PIXELS",
                "background   0.6000    0.7500           4",
                "road         0.5000    0.6667           3",
                "sky               -         -           0",
                "pixel accuracy 0.7143  mean accuracy 0.7083  mean IoU 0.5500  frequency-weighted IoU 0.5571  (2 images)",
            ],
            output.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Json_output_gives_the_numbers()
    {
        var (truth, predicted) = WriteCase();

        var (code, output, error) = await RunAsync("eval", "segmentation", "--ground-truth", truth, "--predictions", predicted, "--num-classes", "3", "--ignore-index", "255", "-o", "json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(11.0 / 20, json.RootElement.GetProperty("mean_iou").GetDouble(), 1e-12);
        Assert.Equal(39.0 / 70, json.RootElement.GetProperty("frequency_weighted_iou").GetDouble(), 1e-12);
        Assert.Equal([0.6, 0.5, -1], json.RootElement.GetProperty("per_class").EnumerateArray().Select(c => Math.Round(c.GetProperty("iou").GetDouble(), 12)));
    }

    [Fact]
    public async Task A_mask_of_another_size_is_refused_by_the_service_naming_the_image()
    {
        var (truth, predicted) = WriteCase();
        File.WriteAllBytes(Path.Combine(predicted, "second.png"), PngWriter.Grey(3, 2, [1, 0, 0, 0, 0, 0]));

        var (code, _, error) = await RunAsync("eval", "segmentation", "--ground-truth", truth, "--predictions", predicted, "--num-classes", "3");

        Assert.Equal(1, code);
        Assert.Contains("segmentation.samples[0] (sample_id second).predicted: the mask is 3×2 (width×height) but the ground truth is 2×2", error);
    }

    [Fact]
    public async Task A_missing_prediction_is_an_error_naming_the_file()
    {
        var (truth, predicted) = WriteCase();
        File.Delete(Path.Combine(predicted, "first.png"));

        var (code, _, error) = await RunAsync("eval", "segmentation", "--ground-truth", truth, "--predictions", predicted, "--num-classes", "3");

        Assert.Equal(1, code);
        Assert.Contains("--predictions: no first.png for the ground truth's", error);
    }

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new Dictionary<string, string?> { ["CAUCHY_METRICS_ADDRESS"] = fixture.Service.Address.ToString() };
        var code = await CauchyCli.RunAsync(args, output, error, environment.GetValueOrDefault, interactive: false);
        return (code, output.ToString(), error.ToString());
    }
}
