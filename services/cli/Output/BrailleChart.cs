using System.Text;

namespace Cauchy.Cli.Output;

/// <summary>
/// A line chart drawn with Unicode braille characters: each character is a 2×4 grid of dots, so a chart
/// <c>width</c> characters wide and <c>height</c> rows high has 2·width × 4·height points of resolution. Plain text,
/// so it reads the same in a terminal, a log file or a CI page.
/// </summary>
public static class BrailleChart
{
    // Bit of each dot in a braille cell (U+2800 + bits), indexed [row, column] from the top left.
    private static readonly int[,] Dots = { { 0x01, 0x08 }, { 0x02, 0x10 }, { 0x04, 0x20 }, { 0x40, 0x80 } };

    /// <summary>
    /// The rows of the chart, top first. Points are scaled between the smallest and largest x and y; where several
    /// points fall in one dot column their mean is drawn (a step-level loss of thousands of points becomes a readable
    /// curve), and neighbouring columns are joined by vertical runs so the line has no gaps.
    /// </summary>
    public static string[] Plot(IReadOnlyList<(double X, double Y)> points, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        var cells = new int[height, width];
        var finite = points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        if (finite.Count > 0)
        {
            var (xMin, xMax) = (finite.Min(p => p.X), finite.Max(p => p.X));
            var (yMin, yMax) = (finite.Min(p => p.Y), finite.Max(p => p.Y));
            int columns = width * 2, rows = height * 4;
            var sums = new double[columns];
            var counts = new int[columns];
            foreach (var (x, y) in finite)
            {
                var column = xMax > xMin ? (int)Math.Round((x - xMin) / (xMax - xMin) * (columns - 1)) : 0;
                sums[column] += y;
                counts[column]++;
            }

            int Row(double y) => yMax > yMin ? (rows - 1) - (int)Math.Round((y - yMin) / (yMax - yMin) * (rows - 1)) : rows / 2;
            int? previous = null;
            int previousColumn = -1;
            for (var column = 0; column < columns; column++)
            {
                if (counts[column] == 0)
                {
                    continue;
                }

                var row = Row(sums[column] / counts[column]);
                if (previous is { } from)
                {
                    // Join to the previous point: a straight line through the dot columns in between.
                    for (var c = previousColumn + 1; c <= column; c++)
                    {
                        var t = (double)(c - previousColumn) / (column - previousColumn);
                        var at = (int)Math.Round(from + (t * (row - from)));
                        var before = (int)Math.Round(from + ((double)(c - 1 - previousColumn) / (column - previousColumn) * (row - from)));
                        for (var r = Math.Min(at, before); r <= Math.Max(at, before); r++)
                        {
                            Set(cells, r, c);
                        }
                    }
                }
                else
                {
                    Set(cells, row, column);
                }

                previous = row;
                previousColumn = column;
            }
        }

        var lines = new string[height];
        var builder = new StringBuilder(width);
        for (var line = 0; line < height; line++)
        {
            builder.Clear();
            for (var c = 0; c < width; c++)
            {
                builder.Append((char)(0x2800 + cells[line, c]));
            }

            lines[line] = builder.ToString();
        }

        return lines;
    }

    private static void Set(int[,] cells, int row, int column) => cells[row / 4, column / 2] |= Dots[row % 4, column % 2];
}
