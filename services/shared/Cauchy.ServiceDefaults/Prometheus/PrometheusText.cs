using System.Globalization;
using System.Text;

namespace Cauchy.ServiceDefaults.Prometheus;

/// <summary>
/// The lexical rules of the Prometheus text exposition format 0.0.4: how numbers are spelled and
/// which characters must be escaped in label values and HELP text.
/// </summary>
public static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>
    /// Spells a sample value or bucket bound: NaN, +Inf and -Inf as Prometheus spells them, everything else
    /// as the shortest string that parses back to the same double, in the invariant culture.
    /// </summary>
    public static string FormatDouble(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }

        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Escapes a label value: backslash, double quote and line feed.</summary>
    public static string EscapeLabelValue(string value) => Escape(value, escapeQuote: true);

    /// <summary>Escapes HELP text: backslash and line feed (quotes stay as they are).</summary>
    public static string EscapeHelp(string help) => Escape(help, escapeQuote: false);

    private static string Escape(string value, bool escapeQuote)
    {
        if (value.AsSpan().IndexOfAny(escapeQuote ? "\\\"\n" : "\\\n") < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    builder.Append(@"\\");
                    break;
                case '\n':
                    builder.Append(@"\n");
                    break;
                case '"' when escapeQuote:
                    builder.Append("\\\"");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.ToString();
    }
}
