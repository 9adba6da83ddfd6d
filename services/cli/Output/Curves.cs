using System.Text;
using Cauchy.V1;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Cauchy.Cli.Output;

/// <summary>
/// Per-epoch metric curves drawn in the terminal as rows of block characters (one column per epoch), scaled
/// between each series' own minimum and maximum: enough to see a loss fall and an accuracy rise.
/// </summary>
public sealed class Curves
{
    private static readonly char[] Blocks = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    private readonly SortedDictionary<string, SortedDictionary<int, double>> series = new(StringComparer.Ordinal);

    public void Add(EpochCompleted epoch)
    {
        foreach (var metric in epoch.Metrics)
        {
            if (!series.TryGetValue(metric.Name, out var points))
            {
                series[metric.Name] = points = [];
            }

            points[epoch.Epoch] = metric.Value;
        }
    }

    /// <summary>One line per metric: name, sparkline, first and last value.</summary>
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

    public IRenderable Render()
    {
        var grid = new Grid().AddColumn(new GridColumn().PadRight(2)).AddColumn(new GridColumn().PadRight(2)).AddColumn();
        foreach (var (name, points) in series)
        {
            var values = points.Values.ToList();
            grid.AddRow(new Text(name), new Text(Sparkline(values)), new Text($"{Show.Number(values[0])} → {Show.Number(values[^1])}"));
        }

        return grid;
    }
}
