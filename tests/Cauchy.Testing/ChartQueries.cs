using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Cauchy.Testing;

/// <summary>
/// The PromQL of the Helm chart's Grafana dashboards (charts/cauchy/files/dashboards) and alert rules
/// (charts/cauchy/files/alerts.yaml), for the chart's offline tests and for evaluating them against a real Prometheus.
/// </summary>
public static partial class ChartQueries
{
    public static string DashboardsDirectory => Path.Combine(RepositoryRoot.Find(), "charts", "cauchy", "files", "dashboards");

    public static string AlertsFile => Path.Combine(RepositoryRoot.Find(), "charts", "cauchy", "files", "alerts.yaml");

    /// <summary>(dashboard file, panel title, expression) of every panel target.</summary>
    public static IEnumerable<(string Dashboard, string Panel, string Expression)> PanelExpressions() =>
        Directory.GetFiles(DashboardsDirectory, "*.json").Order(StringComparer.Ordinal).SelectMany(file =>
            JsonNode.Parse(File.ReadAllText(file))!["panels"]!.AsArray().SelectMany(panel =>
                panel!["targets"]!.AsArray().Select(t => (Path.GetFileName(file), (string)panel["title"]!, (string)t!["expr"]!))));

    /// <summary>(alert name, expression) of every rule.</summary>
    public static IEnumerable<(string Alert, string Expression)> AlertExpressions()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(AlertsFile)));
        var groups = (YamlSequenceNode)((YamlMappingNode)stream.Documents.Single().RootNode)["groups"];
        return groups.Cast<YamlMappingNode>()
            .SelectMany(g => ((YamlSequenceNode)g["rules"]).Cast<YamlMappingNode>())
            .Select(r => (((YamlScalarNode)r["alert"]).Value!, ((YamlScalarNode)r["expr"]).Value!))
            .ToList();
    }

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
