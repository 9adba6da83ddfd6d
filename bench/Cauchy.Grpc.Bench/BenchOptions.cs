using System.Globalization;

namespace Cauchy.Grpc.Bench;

public sealed record BenchOptions(double Seconds, int Callers, int Rounds, int StreamMessageBytes, int StreamMessagesPerCall, int Streams)
{
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(Seconds: 5, Callers: 64, Rounds: 3, StreamMessageBytes: 64 * 1024, StreamMessagesPerCall: 2048, Streams: 2);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--seconds" => options with { Seconds = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--callers" => options with { Callers = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--rounds" => options with { Rounds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--streams" => options with { Streams = int.Parse(Next(), CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}; options: --seconds S --callers N --rounds R --streams N"),
            };
        }
        return options;
    }
}
