using System.Globalization;
using System.Text;

namespace Cauchy.ServiceDefaults.Prometheus;

/// <summary>
/// The labels of one series: sanitised names, raw values, sorted by name so that the same tags in any order
/// land in the same series. Tags whose names collide after sanitising are merged, their values joined with
/// <c>;</c> in the order of the original keys.
/// </summary>
public sealed class LabelSet : IEquatable<LabelSet>
{
    public static readonly LabelSet Empty = new([]);

    private readonly KeyValuePair<string, string>[] _labels;
    private readonly int _hashCode;
    private string? _rendered;

    private LabelSet(KeyValuePair<string, string>[] labels)
    {
        _labels = labels;
        var hash = new HashCode();
        foreach (var (name, value) in labels)
        {
            hash.Add(name, StringComparer.Ordinal);
            hash.Add(value, StringComparer.Ordinal);
        }

        _hashCode = hash.ToHashCode();
    }

    public IReadOnlyList<KeyValuePair<string, string>> Labels => _labels;

    public static LabelSet FromTags(ReadOnlySpan<KeyValuePair<string, object?>> tags, PrometheusMetricType type)
    {
        if (tags.IsEmpty)
        {
            return Empty;
        }

        var entries = new List<(string Name, string Key, string Value)>(tags.Length);
        foreach (var (key, value) in tags)
        {
            var name = PrometheusNaming.LabelName(key, type);
            if (name is not null)
            {
                entries.Add((name, key, FormatValue(value)));
            }
        }

        entries.Sort(static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Key, b.Key);
        });

        var labels = new List<KeyValuePair<string, string>>(entries.Count);
        foreach (var (name, _, value) in entries)
        {
            if (labels.Count > 0 && labels[^1].Key == name)
            {
                labels[^1] = new(name, labels[^1].Value + ";" + value);
            }
            else
            {
                labels.Add(new(name, value));
            }
        }

        return labels.Count == 0 ? Empty : new LabelSet([.. labels]);
    }

    /// <summary>The label block as written after a metric name: <c>{a="1",b="x"}</c>, or empty for no labels.</summary>
    public string Render() => _rendered ??= RenderWith(null, null);

    /// <summary>The label block with one more label appended at the end (used for a histogram bucket's <c>le</c>).</summary>
    public string RenderWith(string? extraName, string? extraValue)
    {
        if (_labels.Length == 0 && extraName is null)
        {
            return string.Empty;
        }

        var builder = new StringBuilder();
        builder.Append('{');
        var first = true;
        foreach (var (name, value) in _labels)
        {
            AppendLabel(builder, name, value, ref first);
        }

        if (extraName is not null)
        {
            AppendLabel(builder, extraName, extraValue ?? string.Empty, ref first);
        }

        builder.Append('}');
        return builder.ToString();
    }

    public bool Equals(LabelSet? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || other._hashCode != _hashCode || other._labels.Length != _labels.Length)
        {
            return false;
        }

        for (var i = 0; i < _labels.Length; i++)
        {
            if (!string.Equals(_labels[i].Key, other._labels[i].Key, StringComparison.Ordinal)
                || !string.Equals(_labels[i].Value, other._labels[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as LabelSet);

    public override int GetHashCode() => _hashCode;

    public override string ToString() => Render();

    private static void AppendLabel(StringBuilder builder, string name, string value, ref bool first)
    {
        if (!first)
        {
            builder.Append(',');
        }

        first = false;
        builder.Append(name).Append("=\"").Append(PrometheusText.EscapeLabelValue(value)).Append('"');
    }

    private static string FormatValue(object? value) => value switch
    {
        null => string.Empty,
        string text => text,
        bool flag => flag ? "true" : "false",
        double number => PrometheusText.FormatDouble(number),
        float number => PrometheusText.FormatDouble(number),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
