using System.Text.Json.Nodes;
using Cauchy.Deploy.Tests.Support;
using Xunit;

namespace Cauchy.Deploy.Tests;

/// <summary>Each component is isolated in both directions and may talk only to the peers the architecture names.</summary>
public sealed class NetworkPolicyTests
{
    private static readonly Dictionary<string, string[]> Calls = new()
    {
        ["datasets"] = ["registry"],
        ["orchestrator"] = ["datasets", "registry"],
        ["metrics"] = ["datasets"],
        ["registry"] = [],
        ["trainer"] = ["orchestrator", "datasets", "metrics", "registry"],
    };

    private static readonly Dictionary<string, int> GrpcPorts = new()
    {
        ["datasets"] = 50051,
        ["orchestrator"] = 50052,
        ["trainer"] = 50053,
        ["metrics"] = 50054,
        ["registry"] = 50055,
    };

    [SkippableFact]
    public void EveryPodOfTheRelease_IsSelectedByAPolicyForIngressAndEgress()
    {
        var chart = Chart.Render("defaults");
        var policies = chart.OfKind("NetworkPolicy").ToList();

        foreach (var (workload, _) in chart.Workloads())
        {
            var component = RenderedChart.Component(workload);
            var policy = policies.SingleOrDefault(p => (string?)p["spec"]!["podSelector"]!["matchLabels"]!["app.kubernetes.io/component"] == component);
            Assert.True(policy is not null, $"no NetworkPolicy selects {component}");
            Assert.Equal(["Ingress", "Egress"], policy["spec"]!["policyTypes"]!.AsArray().Select(t => (string?)t));
        }
    }

    [SkippableFact]
    public void EgressToPeers_IsExactlyTheCallsOfTheArchitecture()
    {
        var chart = Chart.Render("defaults");

        foreach (var (component, peers) in Calls)
        {
            var egress = chart.Single("NetworkPolicy", $"cauchy-{component}")["spec"]!["egress"]!.AsArray();
            var peerComponents = egress
                .SelectMany(rule => rule!["to"]?.AsArray() ?? [])
                .Select(to => (string?)to!["podSelector"]?["matchLabels"]?["app.kubernetes.io/component"])
                .Where(c => c is not null && GrpcPorts.ContainsKey(c))
                .Order(StringComparer.Ordinal);
            Assert.Equal(peers.Order(StringComparer.Ordinal), peerComponents);
        }
    }

    [SkippableFact]
    public void IngressToAGrpcPort_ComesOnlyFromItsCallersAndTheApiClients()
    {
        var chart = Chart.Render("defaults");

        foreach (var (component, port) in GrpcPorts)
        {
            var ingress = chart.Single("NetworkPolicy", $"cauchy-{component}")["spec"]!["ingress"]!.AsArray();
            var rule = ingress.Single(r => r!["ports"]!.AsArray().Any(p => (string?)p!["port"] == $"{port}"))!;
            var from = rule["from"]!.AsArray().Select(Describe).Order(StringComparer.Ordinal);
            var expected = Calls.Where(c => c.Value.Contains(component)).Select(c => $"component={c.Key}").Append("cauchy-client=true");
            Assert.Equal(expected.Order(StringComparer.Ordinal), from);
        }
    }

    [SkippableFact]
    public void TheBundledDatabaseAndObjectStore_AcceptOnlyTheServicesThatUseThem()
    {
        var chart = Chart.Render("defaults");

        var postgres = chart.Single("NetworkPolicy", "cauchy-postgresql")["spec"]!["ingress"]![0]!["from"]!.AsArray().Select(Describe).Order(StringComparer.Ordinal);
        Assert.Equal(["component=datasets", "component=metrics", "component=orchestrator", "component=registry"], postgres);
        var minio = chart.Single("NetworkPolicy", "cauchy-minio")["spec"]!["ingress"]![0]!["from"]!.AsArray().Select(Describe).Order(StringComparer.Ordinal);
        Assert.Equal(["component=datasets", "component=minio-bucket", "component=registry", "component=trainer"], minio);
    }

    [SkippableFact]
    public void WithoutApiClients_TheTrainersGrpcPortAdmitsNobody()
    {
        // An ingress rule without peers would admit every source; the chart leaves the rule out instead.
        var chart = Chart.Render("no-clients", "--set", "networkPolicy.apiClients=null");

        var ingress = chart.Single("NetworkPolicy", "cauchy-trainer")["spec"]!["ingress"]!.AsArray();
        Assert.DoesNotContain(ingress, r => r!["ports"]!.AsArray().Any(p => (string?)p!["port"] == "50053"));
        Assert.All(ingress, r => Assert.Equal("51053", (string?)r!["ports"]![0]!["port"]));
    }

    private static string Describe(JsonNode? peer)
    {
        var labels = peer!["podSelector"]?["matchLabels"]?.AsObject();
        if (labels?["app.kubernetes.io/component"] is { } component)
        {
            return $"component={component}";
        }

        return string.Join(",", labels?.Select(l => $"{l.Key}={l.Value}") ?? ["?"]);
    }
}
