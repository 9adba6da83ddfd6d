using System.Collections.Frozen;
using System.Text;

namespace Cauchy.ServiceDefaults.Prometheus;

/// <summary>
/// Turns System.Diagnostics.Metrics instrument names, units and tag keys into Prometheus metric and label
/// names, following the OpenTelemetry → Prometheus compatibility rules:
/// <list type="bullet">
/// <item>every character outside <c>[a-zA-Z0-9_]</c> (dots included) becomes <c>_</c>, runs of <c>_</c>
/// collapse to one, and a leading digit gets a <c>_</c> prefix. Colons are valid in the format but reserved
/// for recording rules, so an exporter does not emit them;</item>
/// <item>the unit is appended as a word unless the name already ends with it (<c>s</c> → <c>_seconds</c>,
/// <c>ms</c> → <c>_milliseconds</c>, <c>By</c> → <c>_bytes</c>, <c>KiBy</c> → <c>_kibibytes</c>, <c>m/s</c> →
/// <c>_meters_per_second</c>, …); annotations in braces such as <c>{call}</c> add nothing; unit <c>1</c> adds
/// <c>_ratio</c> to gauges and nothing to the other types; an unknown unit is appended sanitised;</item>
/// <item>counters end in <c>_total</c> (after the unit), whether or not the instrument name already did;</item>
/// <item>label names allow only <c>[a-zA-Z0-9_]</c>; a name that starts with a digit, or with the reserved
/// <c>__</c>, gets a <c>key_</c> / <c>key</c> prefix, and so does <c>le</c> on histograms.</item>
/// </list>
/// Values are never rescaled: an instrument recorded in milliseconds is exported in milliseconds, so
/// instruments should record base units (seconds, bytes) as Prometheus recommends.
/// </summary>
public static class PrometheusNaming
{
    private static readonly FrozenDictionary<string, string> UnitWords = new Dictionary<string, string>
    {
        ["d"] = "days",
        ["h"] = "hours",
        ["min"] = "minutes",
        ["s"] = "seconds",
        ["ms"] = "milliseconds",
        ["us"] = "microseconds",
        ["ns"] = "nanoseconds",
        ["By"] = "bytes",
        ["KiBy"] = "kibibytes",
        ["MiBy"] = "mebibytes",
        ["GiBy"] = "gibibytes",
        ["TiBy"] = "tebibytes",
        ["KBy"] = "kilobytes",
        ["MBy"] = "megabytes",
        ["GBy"] = "gigabytes",
        ["TBy"] = "terabytes",
        ["bit"] = "bits",
        ["m"] = "meters",
        ["V"] = "volts",
        ["A"] = "amperes",
        ["J"] = "joules",
        ["W"] = "watts",
        ["g"] = "grams",
        ["Cel"] = "celsius",
        ["Hz"] = "hertz",
        ["%"] = "percent",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> PerUnitWords = new Dictionary<string, string>
    {
        ["s"] = "second",
        ["min"] = "minute",
        ["h"] = "hour",
        ["d"] = "day",
        ["w"] = "week",
        ["mo"] = "month",
        ["y"] = "year",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The Prometheus family name of an instrument with this name, unit and exported type.</summary>
    public static string MetricName(string instrumentName, string? unit, PrometheusMetricType type)
    {
        var name = SanitizeMetricName(instrumentName);
        if (type == PrometheusMetricType.Counter)
        {
            name = RemoveSuffix(name, "_total");
        }

        var unitWord = UnitSuffix(unit, type);
        if (unitWord.Length > 0 && !name.EndsWith("_" + unitWord, StringComparison.Ordinal) && name != unitWord)
        {
            name = name + "_" + unitWord;
        }

        if (type == PrometheusMetricType.Counter)
        {
            name += "_total";
        }

        return name;
    }

    /// <summary>Replaces characters outside <c>[a-zA-Z0-9_]</c> with <c>_</c>, collapses runs of <c>_</c>, guards a leading digit.</summary>
    public static string SanitizeMetricName(string name) => Sanitize(name, digitPrefix: "_");

    /// <summary>A valid, non-reserved label name for a tag key; <c>null</c> when the key is empty.</summary>
    public static string? LabelName(string key, PrometheusMetricType type)
    {
        if (string.IsNullOrEmpty(key))
        {
            return null;
        }

        var name = Sanitize(key, digitPrefix: "key_", collapseUnderscores: false);
        if (name.StartsWith("__", StringComparison.Ordinal))
        {
            return "key" + name;
        }

        if (type == PrometheusMetricType.Histogram && name == "le")
        {
            return "key_le";
        }

        return name;
    }

    /// <summary>The word a unit adds to a metric name, without the leading underscore; empty when none.</summary>
    public static string UnitSuffix(string? unit, PrometheusMetricType type)
    {
        if (string.IsNullOrWhiteSpace(unit))
        {
            return string.Empty;
        }

        var stripped = RemoveAnnotations(unit).Trim();
        if (stripped.Length == 0)
        {
            return string.Empty;
        }

        if (stripped == "1")
        {
            return type == PrometheusMetricType.Gauge ? "ratio" : string.Empty;
        }

        var slash = stripped.IndexOf('/');
        if (slash >= 0)
        {
            var numerator = stripped[..slash].Trim();
            var denominator = stripped[(slash + 1)..].Trim();
            var perWord = PerUnitWords.TryGetValue(denominator, out var per) ? per : UnitWord(denominator);
            if (perWord.Length == 0)
            {
                return UnitWord(numerator);
            }

            var numeratorWord = numerator.Length == 0 || numerator == "1" ? string.Empty : UnitWord(numerator);
            return numeratorWord.Length == 0 ? "per_" + perWord : numeratorWord + "_per_" + perWord;
        }

        return UnitWord(stripped);
    }

    private static string UnitWord(string unit)
    {
        if (unit.Length == 0)
        {
            return string.Empty;
        }

        if (UnitWords.TryGetValue(unit, out var word))
        {
            return word;
        }

        return Sanitize(unit, digitPrefix: string.Empty).Trim('_');
    }

    private static string RemoveAnnotations(string unit)
    {
        if (!unit.Contains('{'))
        {
            return unit;
        }

        var builder = new StringBuilder(unit.Length);
        var depth = 0;
        foreach (var c in unit)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0)
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static string RemoveSuffix(string name, string suffix) =>
        name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.Ordinal) ? name[..^suffix.Length] : name;

    private static string Sanitize(string value, string digitPrefix, bool collapseUnderscores = true)
    {
        if (value.Length == 0)
        {
            return "_";
        }

        var builder = new StringBuilder(value.Length + digitPrefix.Length);
        if (char.IsAsciiDigit(value[0]))
        {
            builder.Append(digitPrefix);
        }

        foreach (var c in value)
        {
            var valid = char.IsAsciiLetterOrDigit(c) || c == '_';
            var next = valid ? c : '_';
            if (collapseUnderscores && next == '_' && builder.Length > 0 && builder[^1] == '_')
            {
                continue;
            }

            builder.Append(next);
        }

        return builder.ToString();
    }
}
