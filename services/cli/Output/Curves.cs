using System.Globalization;
using System.Text;
using Cauchy.V1;

namespace Cauchy.Cli.Output;

/// <summary>
/// A job's training curves for the terminal: the step-level training loss and the per-epoch accuracy (of the validation
/// split, or of the test split for a job trained without one, whose trainer then evaluates the test split each epoch) as
/// braille line charts, from GetJobMetrics, or for per-epoch metrics from the watch's EpochCompleted events until
/// GetJobMetrics has them.
/// </summary>
public sealed class Curves
{
    /// <summary>The charts <c>jobs watch</c> draws: name, x axis. The test split's accuracy only for a job without validation.</summary>
    public static readonly (string Name, string Axis)[] Charted =
        [("train/loss", "step"), ("validation/accuracy", "epoch"), ("test/accuracy", "epoch")];

    private static readonly char[] Blocks = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    private readonly SortedDictionary<string, SortedDictionary<int, double>> _epochs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<MetricValue>> _recorded = new(StringComparer.Ordinal);

    public void Add(EpochCompleted epoch)
    {
        foreach (var metric in epoch.Metrics)
        {
            if (!_epochs.TryGetValue(metric.Name, out var points))
            {
                _epochs[metric.Name] = points = [];
            }

            points[epoch.Epoch] = metric.Value;
        }
    }

    /// <summary>Replaces the recorded series with what GetJobMetrics returned (it always returns whole series).</summary>
    public void Set(IEnumerable<MetricSeries> series)
    {
        foreach (var s in series)
        {
            _recorded[s.Name] = [.. s.Points];
        }
    }

    /// <summary>The values as block characters, scaled between their own minimum and maximum.</summary>
    public static string Sparkline(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return "";
        }

        var min = values.Min();
        var max = values.Max();
        var builder = new StringBuilder(values.Count);
        foreach (var value in values)
        {
            var level = max > min ? (int)Math.Round((value - min) / (max - min) * (Blocks.Length - 1)) : Blocks.Length / 2;
            builder.Append(Blocks[level]);
        }

        return builder.ToString();
    }

    /// <summary>
    /// The charts as plain lines: for each charted metric with points, a title with its last value, then
    /// <paramref name="height"/> rows of braille <paramref name="width"/> characters wide between a y axis labelled
    /// with the largest and smallest value, then the x axis's range.
    /// </summary>
    public IReadOnlyList<string> Charts(int width, int height)
    {
        var lines = new List<string>();
        foreach (var (name, axis) in Charted)
        {
            var points = Points(name, axis);
            if (points.Count == 0 || (name == "test/accuracy" && Points("validation/accuracy", axis).Count > 0))
            {
                continue;
            }

            var (min, max) = (points.Min(p => p.Y), points.Max(p => p.Y));
            lines.Add($"{name} by {axis}: {Show.Number(points[^1].Y)} (min {Show.Number(min)}, max {Show.Number(max)}, {points.Count} point{(points.Count == 1 ? "" : "s")})");
            var rows = BrailleChart.Plot(points, width, height);
            for (var i = 0; i < rows.Length; i++)
            {
                var label = i == 0 ? Label(max) : i == rows.Length - 1 ? Label(min) : "";
                lines.Add($"{label,8} ┤{rows[i]}");
            }

            var from = $"{axis} {Show.Number(points[0].X)}";
            var to = Show.Number(points[^1].X);
            lines.Add($"{"",8}  {from}{to.PadLeft(Math.Max(1, width - from.Length))}");
        }

        return lines;
    }

    private static string Label(double value) => value.ToString(Math.Abs(value) >= 100 ? "0" : "0.0###", CultureInfo.InvariantCulture);

    private List<(double X, double Y)> Points(string name, string axis)
    {
        if (_recorded.TryGetValue(name, out var values) && values.Count > 0)
        {
            return [.. values.Select(v => (axis == "epoch" ? (double)v.Epoch : v.Step, v.Value)).OrderBy(p => p.Item1)];
        }

        // Per-epoch metrics still arrive with the watch's events when GetJobMetrics has nothing yet.
        return axis == "epoch" && _epochs.TryGetValue(name, out var byEpoch) ? [.. byEpoch.Select(p => ((double)p.Key, p.Value))] : [];
    }
}
