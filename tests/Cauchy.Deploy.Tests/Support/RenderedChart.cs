using System.Text.Json.Nodes;

namespace Cauchy.Deploy.Tests.Support;

/// <summary>The objects one `helm template` produced, and the file they were written to.</summary>
public sealed record RenderedChart(string Profile, string Text, IReadOnlyList<JsonObject> Objects)
{
    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => Kind(o) == kind);

    public JsonObject Single(string kind, string name) =>
        Objects.Single(o => Kind(o) == kind && Name(o) == name);

    /// <summary>Pod templates of the long-running workloads (Deployments and StatefulSets).</summary>
    public IEnumerable<(JsonObject Workload, JsonObject PodSpec)> Workloads() =>
        Objects.Where(o => Kind(o) is "Deployment" or "StatefulSet")
            .Select(o => (o, o["spec"]!["template"]!["spec"]!.AsObject()));

    public IReadOnlyList<string> Kinds() => Objects.Select(Kind).Distinct().Order(StringComparer.Ordinal).ToList();

    public static string Kind(JsonObject o) => (string)o["kind"]!;

    public static string Name(JsonObject o) => (string)o["metadata"]!["name"]!;

    public static string? Component(JsonObject o) => (string?)o["metadata"]?["labels"]?["app.kubernetes.io/component"];
}
