using System.Text.Json;
using Cauchy.Testing;
using Xunit;

namespace Cauchy.Cli.Tests;

/// <summary>
/// <c>cauchy eval coco</c> against the real metrics service, on the COCO reference cases (pycocotools' answers are in
/// their expected.json): the summary printed line for line, and the JSON form's numbers.
/// </summary>
public sealed class EvalCocoTests(MetricsServiceFixture fixture) : IClassFixture<MetricsServiceFixture>
{
    private static string Case(string name) => Path.Combine(RepositoryRoot.Find(), "tests", "Cauchy.Metrics.Tests", "reference", "coco", name);

    [Theory]
    [InlineData("c4_segm", "segm")]
    [InlineData("c4_segm", "bbox")]
    [InlineData("c3_maxdets_bbox", "bbox")]
    public async Task The_summary_is_printed_as_pycocotools_prints_it(string name, string iouType)
    {
        var (code, output, error) = await RunAsync("eval", "coco", "--annotations", Path.Combine(Case(name), "gt.json"),
            "--results", Path.Combine(Case(name), "dt.json"), "--iou-type", iouType);

        Assert.True(code == 0, error);
        Assert.Equal(Expected(name, iouType).GetProperty("summary_lines").EnumerateArray().Select(l => l.GetString()), output.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Json_output_gives_the_twelve_numbers_and_the_per_class_scores()
    {
        var name = "c1_tiny_bbox";
        var (code, output, error) = await RunAsync("eval", "coco", "--annotations", Path.Combine(Case(name), "gt.json"),
            "--results", Path.Combine(Case(name), "dt.json"), "-o", "json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var expected = Expected(name, "bbox");
        var stats = json.RootElement.GetProperty("stats").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(12, stats.Length);
        Assert.All(expected.GetProperty("stats").EnumerateArray().Zip(stats), p => Assert.Equal(p.First.GetDouble(), p.Second, 1e-9));
        var perClass = json.RootElement.GetProperty("per_class").EnumerateArray().ToList();
        Assert.Equal(4, perClass.Count);
        foreach (var c in perClass)
        {
            var want = expected.GetProperty("per_category").GetProperty(c.GetProperty("category_id").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(want.GetProperty("AP").GetDouble(), c.GetProperty("ap").GetDouble(), 1e-9);
            Assert.Equal(want.GetProperty("AP50").GetDouble(), c.GetProperty("ap50").GetDouble(), 1e-9);
            Assert.Equal(want.GetProperty("AR100").GetDouble(), c.GetProperty("ar100").GetDouble(), 1e-9);
        }
    }

    [Fact]
    public async Task A_detection_on_an_unknown_image_is_an_error_naming_it()
    {
        var folder = Directory.CreateTempSubdirectory("cauchy-coco-").FullName;
        var results = Path.Combine(folder, "dt.json");
        await File.WriteAllTextAsync(results, """[{"image_id": 99999, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5}]""");

        var (code, _, error) = await RunAsync("eval", "coco", "--annotations", Path.Combine(Case("c1_tiny_bbox"), "gt.json"), "--results", results);

        Assert.Equal(1, code);
        Assert.Contains("[0]: image_id 99999 is not an image of the ground truth", error);
    }

    private static JsonElement Expected(string name, string iouType)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Case(name), "expected.json")));
        return document.RootElement.GetProperty("results").GetProperty(iouType).Clone();
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
