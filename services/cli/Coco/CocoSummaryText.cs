using System.Globalization;
using Cauchy.V1;

namespace Cauchy.Cli.Coco;

/// <summary>A COCO evaluation's summary as pycocotools' <c>COCOeval.summarize()</c> prints it, line for line.</summary>
public static class CocoSummaryText
{
    public static IReadOnlyList<string> Lines(DetectionResult result)
    {
        var options = result.Coco;
        var thresholds = options.IouThresholds;
        var maxDets = options.MaxDetections;
        var stats = result.Stats;
        var all = $"{Fixed(thresholds[0], 2)}:{Fixed(thresholds[^1], 2)}";
        (bool Precision, string Iou, string Area, int MaxDets)[] rows = options.IouType == CocoIouType.Keypoints
            ?
            [
                (true, all, "all", 20), (true, "0.50", "all", 20), (true, "0.75", "all", 20), (true, all, "medium", 20), (true, all, "large", 20),
                (false, all, "all", 20), (false, "0.50", "all", 20), (false, "0.75", "all", 20), (false, all, "medium", 20), (false, all, "large", 20),
            ]
            :
            [
                (true, all, "all", 100), (true, "0.50", "all", maxDets[2]), (true, "0.75", "all", maxDets[2]),
                (true, all, "small", maxDets[2]), (true, all, "medium", maxDets[2]), (true, all, "large", maxDets[2]),
                (false, all, "all", maxDets[0]), (false, all, "all", maxDets[1]), (false, all, "all", maxDets[2]),
                (false, all, "small", maxDets[2]), (false, all, "medium", maxDets[2]), (false, all, "large", maxDets[2]),
            ];
        return
        [
            .. rows.Select((row, i) => string.Format(CultureInfo.InvariantCulture, " {0,-18} {1} @[ IoU={2,-9} | area={3,6} | maxDets={4,3} ] = {5}",
                row.Precision ? "Average Precision" : "Average Recall", row.Precision ? "(AP)" : "(AR)", row.Iou, row.Area, row.MaxDets, Fixed(stats[i], 3))),
        ];
    }

    /// <summary>
    /// <paramref name="value"/> with <paramref name="decimals"/> decimals as Python's format does: from the double's
    /// exact value, halves to even.
    /// </summary>
    public static string Fixed(double value, int decimals)
    {
        var exact = Math.Abs(value).ToString("F25", CultureInfo.InvariantCulture);
        var point = exact.IndexOf('.');
        var kept = decimal.Parse(exact[..(point + 1 + decimals)], CultureInfo.InvariantCulture);
        var rest = exact[(point + 1 + decimals)..];
        var last = exact[point + decimals] - '0';
        var up = rest[0] > '5' || (rest[0] == '5' && (rest.Skip(1).Any(c => c != '0') || last % 2 == 1));
        if (up)
        {
            kept += 1m / (decimal)Math.Pow(10, decimals);
        }

        var text = kept.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return value < 0 && kept != 0 ? "-" + text : text;
    }
}
