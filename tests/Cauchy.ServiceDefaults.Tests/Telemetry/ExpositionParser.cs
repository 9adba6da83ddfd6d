using System.Globalization;

namespace Cauchy.ServiceDefaults.Tests.Telemetry;

/// <summary>Reads sample lines back (series text → value) so tests can check numbers in large outputs.</summary>
public static class ExpositionParser
{
    public static Dictionary<string, double> Samples(string exposition)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in exposition.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            var text = line[(space + 1)..];
            var value = text switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                _ => double.Parse(text, CultureInfo.InvariantCulture),
            };
            samples.Add(line[..space], value);
        }

        return samples;
    }
}
