using System.Text.Json.Nodes;
using Cauchy.Deploy.Tests.Support;
using Cauchy.Testing;
using Xunit;

namespace Cauchy.Deploy.Tests;

/// <summary>k8s/ is what `make k8s-manifests` generates from the chart today, and each overlay builds to the chart's render.</summary>
public sealed class PlainManifestsTests
{
    [SkippableFact]
    public void K8sFolder_IsUpToDateWithTheChart()
    {
        DeployTools.Helm();
        DeployTools.Node();
        var folder = TempDirectory.Create("cauchy-k8s");
        try
        {
            var result = Command.Run("bash", "scripts/k8s-manifests.sh", folder);
            Assert.True(result.Succeeded, result.Transcript);

            var committed = Files(Path.Combine(DeployTools.Root, "k8s"));
            var generated = Files(folder);
            committed.Remove("README.md");
            Assert.True(committed.Keys.Order(StringComparer.Ordinal).SequenceEqual(generated.Keys.Order(StringComparer.Ordinal)),
                "k8s/ holds other files than the chart generates; run `make k8s-manifests`.\n" +
                $"only in k8s/: {string.Join(", ", committed.Keys.Except(generated.Keys))}\nonly generated: {string.Join(", ", generated.Keys.Except(committed.Keys))}");
            foreach (var (name, text) in generated)
            {
                Assert.True(committed[name] == text, $"k8s/{name} is out of date with charts/cauchy; run `make k8s-manifests`");
            }
        }
        finally
        {
            TempDirectory.Delete(folder);
        }
    }

    [SkippableTheory]
    [InlineData("evaluation", "minimal", false)]
    [InlineData("gpu-cluster", "gpu-cluster", true)]
    [InlineData("cpu-only", "cpu-only", false)]
    public void EachOverlay_BuildsToTheChartsRenderOfItsProfile(string overlay, string example, bool operatorApi)
    {
        var kubectl = DeployTools.Kubectl();
        var built = Command.Run(kubectl, "kustomize", Path.Combine(DeployTools.Root, "k8s", "overlays", overlay));
        Assert.True(built.Succeeded, built.Transcript);
        string[] arguments = ["-f", Chart.ExampleFile(example), "--set", "postgresql.existingSecret=cauchy-postgresql", "--set", "minio.existingSecret=cauchy-minio", "--set", "auth.existingSecret=cauchy-auth"];
        var chart = Chart.Render(example, operatorApi ? [.. arguments, .. Chart.WithMonitoringApi] : arguments);

        var expected = chart.Objects.ToDictionary(Key, o => Normalize(WithoutHelmBookkeeping(o)));
        var actual = Yaml.LoadAll(built.Output).ToDictionary(Key, Normalize);

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, value) in expected)
        {
            Assert.True(value == actual[key], $"{key} differs:\nchart:     {value}\nkustomize: {actual[key]}");
        }
    }

    private static Dictionary<string, string> Files(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), File.ReadAllText);

    private static string Key(JsonObject o) => $"{RenderedChart.Kind(o)}/{RenderedChart.Name(o)}";

    /// <summary>What scripts/k8s-manifests.mjs leaves out: Helm's chart label and its hook and resource-policy annotations.</summary>
    private static JsonObject WithoutHelmBookkeeping(JsonObject o)
    {
        foreach (var labels in new[] { o["metadata"]?["labels"], o["spec"]?["template"]?["metadata"]?["labels"] }.OfType<JsonObject>())
        {
            labels.Remove("helm.sh/chart");
            if (labels.ContainsKey("app.kubernetes.io/managed-by"))
            {
                labels["app.kubernetes.io/managed-by"] = "kustomize";
            }
        }

        if (o["metadata"]!["annotations"] is JsonObject annotations)
        {
            foreach (var key in annotations.Select(a => a.Key).Where(k => k.StartsWith("helm.sh/", StringComparison.Ordinal)).ToList())
            {
                annotations.Remove(key);
            }

            if (annotations.Count == 0)
            {
                o["metadata"]!.AsObject().Remove("annotations");
            }
        }

        return o;
    }

    /// <summary>Keys sorted at every depth, so two renders compare by content, not by key order.</summary>
    private static string Normalize(JsonNode? node) => Sorted(node)?.ToJsonString() ?? "null";

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        null => null,
        _ => JsonValue.Create((string?)node.ToString()),
    };
}
