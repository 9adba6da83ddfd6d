using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Cauchy.Deploy.Tests.Support;

/// <summary>The PromQL of the chart's dashboards (charts/cauchy/files/dashboards) and alert rules (files/alerts.yaml).</summary>
public static partial class DashboardQueries
{
    public static string DashboardsDirectory => Path.Combine(DeployTools.ChartDirectory, "files", "dashboards");

    public static string AlertsFile => Path.Combine(DeployTools.ChartDirectory, "files", "alerts.yaml");

    /// <summary>(dashboard file, panel title, expression) of every panel target.</summary>
    public static IEnumerable<(string Dashboard, string Panel, string Expression)> PanelExpressions() =>
        Directory.GetFiles(DashboardsDirectory, "*.json").Order(StringComparer.Ordinal).SelectMany(file =>
            JsonNode.Parse(File.ReadAllText(file))!["panels"]!.AsArray().SelectMany(panel =>
                panel!["targets"]!.AsArray().Select(t => (Path.GetFileName(file), (string)panel["title"]!, (string)t!["expr"]!))));

    /// <summary>(alert name, expression) of every rule.</summary>
    public static IEnumerable<(string Alert, string Expression)> AlertExpressions() =>
        Yaml.LoadAll(File.ReadAllText(AlertsFile)).Single()["groups"]!.AsArray()
            .SelectMany(g => g!["rules"]!.AsArray())
            .Select(r => ((string)r!["alert"]!, (string)r["expr"]!));

    /// <summary>The metric names an expression reads (identifiers followed by a selector or range, or standing alone),
    /// without PromQL's functions, keywords and label names.</summary>
    public static IReadOnlyList<string> MetricNames(string expression)
    {
        var withoutStrings = QuotedString().Replace(expression, "\"\"");
        var withoutGrouping = Grouping().Replace(withoutStrings, "");
        return Identifier().Matches(withoutGrouping)
            .Select(m => m.Value)
            .Where(name => !NotMetrics.Contains(name) && !withoutGrouping.Contains(name + "(", StringComparison.Ordinal))
            .Distinct()
            .ToList();
    }

    /// <summary>The vector selectors of an expression (a metric name and its braces, if any), e.g. for evaluating each alone.</summary>
    public static IReadOnlyList<string> Selectors(string expression) =>
        Selector().Matches(expression)
            .Select(m => m.Value)
            .Where(s => MetricNames(s).Count == 1)
            .Distinct()
            .ToList();

    private static readonly HashSet<string> NotMetrics =
    [
        "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset", "le",
        "inf", "nan", "rate_interval", "__rate_interval",
        "sum", "min", "max", "avg", "count", "group", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values",
    ];

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)|\{[^}]*\}|\[[^\]]*\]")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w$.])[a-zA-Z_:][a-zA-Z0-9_:]*(?![\w(])")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"(?<![\w$])[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?(?![\w(])")]
    private static partial Regex Selector();
}
