using System.Globalization;
using System.Text.Json;
using Cauchy.Testing;
using Xunit;

namespace Cauchy.Cli.Tests;

/// <summary>
/// <c>cauchy eval voc</c> against the real metrics service, on VOC annotation and results files whose AP is worked out
/// by hand with the devkit's rules.
/// </summary>
public sealed class EvalVocTests(MetricsServiceFixture fixture) : IClassFixture<MetricsServiceFixture>
{
    // VOC coordinates are 1-based and inclusive. Image a: cats at 11..50 × 11..50 and 61..90 × 11..50, a difficult cat at
    // 101..140. Image b: a cat at 1..20 and a dog at 31..40 × 31..40.
    // Cat detections: 0.9 and 0.8 on a's first cat (TP, duplicate FP), 0.7 on the difficult cat (ignored), 0.6 on b's cat
    // (TP), 0.5 on nothing (FP). npos 3; precision 1, 1/2, 2/3, 1/2 at recall 1/3, 1/3, 2/3, 2/3, so the all-point AP is
    // 1/3 · 1 + 1/3 · 2/3 = 5/9 = 0.5556 and the 11-point AP (4 · 1 + 3 · 2/3) / 11 = 6/11.
    // The dog detection 31..40 × 31..35 covers 10 × 5 pixels of the dog's 10 × 10: IoU 50/100 = 0.5, a TP under the
    // devkit's +1 pixel convention (without it, 9 × 4 of 9 × 9 would give 0.44, a miss): AP 1.
    // The bird has a results file but no object: no AP, left out of the mean. mAP (5/9 + 1) / 2 = 7/9 = 0.7778.
    private static string WriteCase()
    {
        var folder = Directory.CreateTempSubdirectory("cauchy-voc-").FullName;
        var annotations = Directory.CreateDirectory(Path.Combine(folder, "Annotations")).FullName;
        var results = Directory.CreateDirectory(Path.Combine(folder, "results")).FullName;
        File.WriteAllText(Path.Combine(annotations, "a.xml"), Annotation(300, 300, ("cat", 11, 11, 50, 50, false), ("cat", 61, 11, 90, 50, false), ("cat", 101, 101, 140, 140, true)));
        File.WriteAllText(Path.Combine(annotations, "b.xml"), Annotation(100, 100, ("cat", 1, 1, 20, 20, false), ("dog", 31, 31, 40, 40, false)));
        File.WriteAllText(Path.Combine(results, "comp4_det_test_cat.txt"), """
            a 0.8 11 11 50 50
            a 0.9 11 11 50 50
            a 0.7 101 101 140 140
            b 0.6 1 1 20 20
            a 0.5 201 201 220 220
            """);
        File.WriteAllText(Path.Combine(results, "comp4_det_test_dog.txt"), "b 0.4 31 31 40 35\n");
        File.WriteAllText(Path.Combine(results, "comp4_det_test_bird.txt"), "a 0.95 1 1 5 5\n");
        return folder;
    }

    [Fact]
    public async Task The_table_gives_each_class_AP_and_the_mAP()
    {
        var folder = WriteCase();

        var (code, output, error) = await RunAsync("eval", "voc", "--annotations", Path.Combine(folder, "Annotations"), "--results", Path.Combine(folder, "results"));

        Assert.True(code == 0, error);
        Assert.Equal(
            [
                "CLASS   OBJECTS  DETECTIONS       AP",
                "bird          0           1        -",
                "cat           3           5   0.5556",
                "dog           1           1   1.0000",
                "mAP (all-point, 2 images): 0.7778",
            ],
            output.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Json_output_gives_the_numbers_and_voc2007_the_11_point_AP()
    {
        var folder = WriteCase();

        var (code, output, error) = await RunAsync("eval", "voc", "--annotations", Path.Combine(folder, "Annotations"), "--results", Path.Combine(folder, "results"), "--voc2007", "-o", "json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal((6.0 / 11 + 1) / 2, json.RootElement.GetProperty("map").GetDouble(), 1e-12);
        var cat = json.RootElement.GetProperty("per_class").EnumerateArray().Single(c => c.GetProperty("class_name").GetString() == "cat");
        Assert.Equal(6.0 / 11, cat.GetProperty("ap").GetDouble(), 1e-12);
        Assert.Equal(3, cat.GetProperty("ground_truth").GetInt32());
    }

    [Fact]
    public async Task A_detection_on_an_unknown_image_is_an_error_naming_the_file_and_line()
    {
        var folder = WriteCase();
        var dog = Path.Combine(folder, "results", "comp4_det_test_dog.txt");
        File.AppendAllText(dog, "zebra 0.3 1 1 2 2\n");

        var (code, _, error) = await RunAsync("eval", "voc", "--annotations", Path.Combine(folder, "Annotations"), "--results", Path.Combine(folder, "results"));

        Assert.Equal(1, code);
        Assert.Contains($"{dog}:2: image_id zebra is not an image of the annotations", error);
    }

    [Fact]
    public async Task A_box_with_negative_width_is_refused_by_the_service_naming_the_sample()
    {
        var folder = WriteCase();
        File.WriteAllText(Path.Combine(folder, "results", "comp4_det_test_dog.txt"), "b 0.4 31 31 20 35\n");

        var (code, _, error) = await RunAsync("eval", "voc", "--annotations", Path.Combine(folder, "Annotations"), "--results", Path.Combine(folder, "results"));

        Assert.Equal(1, code);
        Assert.Contains("(sample_id b).detections[1].box: width and height must not be negative", error);
    }

    private static string Annotation(int width, int height, params (string Name, int XMin, int YMin, int XMax, int YMax, bool Difficult)[] objects) =>
        $"<annotation><size><width>{width}</width><height>{height}</height><depth>3</depth></size>"
        + string.Concat(objects.Select(o => string.Create(CultureInfo.InvariantCulture,
            $"<object><name>{o.Name}</name><difficult>{(o.Difficult ? 1 : 0)}</difficult><bndbox><xmin>{o.XMin}</xmin><ymin>{o.YMin}</ymin><xmax>{o.XMax}</xmax><ymax>{o.YMax}</ymax></bndbox></object>")))
        + "</annotation>";

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new Dictionary<string, string?> { ["CAUCHY_METRICS_ADDRESS"] = fixture.Service.Address.ToString() };
        var code = await CauchyCli.RunAsync(args, output, error, environment.GetValueOrDefault, interactive: false);
        return (code, output.ToString(), error.ToString());
    }
}
