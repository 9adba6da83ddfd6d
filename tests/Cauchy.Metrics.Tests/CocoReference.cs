using System.Text.Json;
using Cauchy.Cli.Coco;
using Cauchy.V1;

namespace Cauchy.Metrics.Tests;

/// <summary>A reference case under reference/coco: its files read as the CLI reads them, and pycocotools' answers.</summary>
public sealed record CocoReference(string Name, string GroundTruthPath, string ResultsPath, JsonElement Expected)
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "reference", "coco");

    public static IEnumerable<object[]> Cases() =>
        Directory.GetDirectories(Folder).Order().SelectMany(dir =>
        {
            var expected = Load(Path.GetFileName(dir)).Expected;
            return expected.GetProperty("results").EnumerateObject().Select(r => new object[] { Path.GetFileName(dir), r.Name });
        });

    public static CocoReference Load(string name)
    {
        var dir = Path.Combine(Folder, name);
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "expected.json")));
        return new CocoReference(name, Path.Combine(dir, "gt.json"), Path.Combine(dir, "dt.json"), expected.RootElement.Clone());
    }

    public static CocoIouType IouType(string name) => name switch
    {
        "bbox" => CocoIouType.Bbox,
        "segm" => CocoIouType.Segm,
        _ => CocoIouType.Keypoints,
    };

    public CocoFiles Read(CocoIouType iouType) => CocoFiles.Read(GroundTruthPath, ResultsPath, iouType);

    public double[] Stats(string iouType) =>
        [.. Expected.GetProperty("results").GetProperty(iouType).GetProperty("stats").EnumerateArray().Select(v => v.GetDouble())];

    /// <summary>Category id → (AP, AP50, AR@100).</summary>
    public Dictionary<int, (double Ap, double Ap50, double Ar100)> PerCategory(string iouType) =>
        Expected.GetProperty("results").GetProperty(iouType).GetProperty("per_category").EnumerateObject().ToDictionary(
            p => int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture),
            p => (p.Value.GetProperty("AP").GetDouble(), p.Value.GetProperty("AP50").GetDouble(), p.Value.GetProperty("AR100").GetDouble()));

    public IReadOnlyList<string> SummaryLines(string iouType) =>
        [.. Expected.GetProperty("results").GetProperty(iouType).GetProperty("summary_lines").EnumerateArray().Select(v => v.GetString()!)];
}
