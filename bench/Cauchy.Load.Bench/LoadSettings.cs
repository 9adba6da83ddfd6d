using System.Globalization;

namespace Cauchy.Load.Bench;

/// <summary>The bench's settings from its command line: <c>--seconds 180 --reads-per-second 10 --port-offset 400 --config Release</c>.</summary>
public sealed record LoadSettings(int Seconds, int ReadsPerSecond, int PortOffset, string Configuration)
{
    public static LoadSettings Parse(string[] args)
    {
        var settings = new LoadSettings(Seconds: 180, ReadsPerSecond: 10, PortOffset: 400, Configuration: "Release");
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            settings = args[i] switch
            {
                "--seconds" => settings with { Seconds = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--reads-per-second" => settings with { ReadsPerSecond = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--port-offset" => settings with { PortOffset = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--config" => settings with { Configuration = args[i + 1] },
                _ => throw new ArgumentException($"unknown option {args[i]}; the options are --seconds, --reads-per-second, --port-offset and --config"),
            };
        }

        return settings.Seconds > 0 && settings.ReadsPerSecond > 0
            ? settings
            : throw new ArgumentException("--seconds and --reads-per-second must be positive");
    }
}
