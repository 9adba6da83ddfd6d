using System.Text.Json.Nodes;
using Cauchy.Deploy.Tests.Support;
using Xunit;

namespace Cauchy.Deploy.Tests;

/// <summary>What every pod the chart runs must have, in every profile.</summary>
public sealed class WorkloadTests
{
    public static TheoryData<string> Examples() => new(Chart.Examples);

    [SkippableTheory]
    [MemberData(nameof(Examples))]
    public void EveryLongRunningContainer_HasStartupReadinessAndLivenessProbes(string example)
    {
        var chart = Chart.RenderExample(example);

        foreach (var (workload, pod) in chart.Workloads())
        {
            foreach (var container in Containers(pod))
            {
                var where = $"{RenderedChart.Name(workload)}/{container["name"]}";
                Assert.True(container["startupProbe"] is JsonObject, $"{where} has no startupProbe");
                Assert.True(container["readinessProbe"] is JsonObject, $"{where} has no readinessProbe");
                Assert.True(container["livenessProbe"] is JsonObject, $"{where} has no livenessProbe");
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Examples))]
    public void CauchyServices_AreProbedWithNativeGrpcHealthChecksOnTheirGrpcPort(string example)
    {
        var chart = Chart.RenderExample(example);

        var cauchy = chart.Workloads().Where(w => RenderedChart.Component(w.Workload) is "datasets" or "orchestrator" or "metrics" or "registry" or "trainer").ToList();
        Assert.NotEmpty(cauchy);
        foreach (var (workload, pod) in cauchy)
        {
            var container = Assert.Single(Containers(pod));
            var grpcPort = (string?)container["ports"]!.AsArray().Single(p => (string?)p!["name"] == "grpc")!["containerPort"];
            foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
            {
                Assert.Equal(grpcPort, (string?)container[probe]!["grpc"]?["port"]);
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Examples))]
    public void EveryContainer_HasResourcesAndTheRestrictedSecurityContext(string example)
    {
        var chart = Chart.RenderExample(example);

        var pods = chart.Workloads().Concat(chart.OfKind("Job").Select(j => (j, j["spec"]!["template"]!["spec"]!.AsObject()))).ToList();
        Assert.NotEmpty(pods);
        foreach (var (workload, pod) in pods)
        {
            Assert.Equal("false", (string?)pod["automountServiceAccountToken"]);
            Assert.Equal("true", (string?)pod["securityContext"]!["runAsNonRoot"]);
            foreach (var container in Containers(pod))
            {
                var where = $"{RenderedChart.Name(workload)}/{container["name"]}";
                Assert.True(container["resources"]?["requests"]?["memory"] is not null, $"{where} requests no memory");
                Assert.True(container["resources"]?["requests"]?["cpu"] is not null, $"{where} requests no CPU");
                Assert.True(container["resources"]?["limits"]?["memory"] is not null, $"{where} has no memory limit");
                var security = container["securityContext"] ?? throw new Xunit.Sdk.XunitException($"{where} has no securityContext");
                Assert.Equal("true", (string?)security["runAsNonRoot"]);
                Assert.Equal("true", (string?)security["readOnlyRootFilesystem"]);
                Assert.Equal("false", (string?)security["allowPrivilegeEscalation"]);
                Assert.Equal(["ALL"], security["capabilities"]!["drop"]!.AsArray().Select(c => (string?)c));
                Assert.Equal("RuntimeDefault", (string?)security["seccompProfile"]!["type"]);
            }
        }
    }

    [SkippableFact]
    public void ServiceAccounts_MountNoApiToken()
    {
        var chart = Chart.Render("defaults");

        var accounts = chart.OfKind("ServiceAccount").ToList();
        Assert.Equal(5, accounts.Count);
        Assert.All(accounts, a => Assert.Equal("false", (string?)a["automountServiceAccountToken"]));
    }

    [SkippableFact]
    public void GpuPools_RequestGpusSelectGpuNodesAndTolerateTheGpuTaint()
    {
        var chart = Chart.RenderExample("gpu-cluster");

        foreach (var (pool, runtimeClass, priorityClass) in new[] { ("a100", "nvidia", "cauchy-training"), ("t4", "nvidia", null) })
        {
            var pod = chart.Single("Deployment", $"cauchy-trainer-{pool}")["spec"]!["template"]!["spec"]!.AsObject();
            var trainer = Assert.Single(Containers(pod));
            Assert.Equal("1", (string?)trainer["resources"]!["requests"]!["nvidia.com/gpu"]);
            Assert.Equal("1", (string?)trainer["resources"]!["limits"]!["nvidia.com/gpu"]);
            Assert.Contains(pod["tolerations"]!.AsArray(), t => (string?)t!["key"] == "nvidia.com/gpu" && (string?)t["operator"] == "Exists" && (string?)t["effect"] == "NoSchedule");
            Assert.NotNull(pod["nodeSelector"]!["nvidia.com/gpu.product"]);
            Assert.Equal(runtimeClass, (string?)pod["runtimeClassName"]);
            Assert.Equal(priorityClass, (string?)pod["priorityClassName"]);
            Assert.Equal("cuda", Env(trainer, "CAUCHY_TRAINER__DEVICE"));
        }
    }

    [SkippableFact]
    public void CpuPools_RequestNoGpuAndTolerateNoGpuTaint()
    {
        var chart = Chart.RenderExample("gpu-cluster");

        var pod = chart.Single("Deployment", "cauchy-trainer-cpu")["spec"]!["template"]!["spec"]!.AsObject();
        var trainer = Assert.Single(Containers(pod));
        Assert.Null(trainer["resources"]!["requests"]!["nvidia.com/gpu"]);
        Assert.Null(pod["tolerations"]);
        Assert.Equal("cpu", Env(trainer, "CAUCHY_TRAINER__DEVICE"));
    }

    [SkippableTheory]
    [MemberData(nameof(Examples))]
    public void Trainers_HaveAGraceLongEnoughToCheckpointASizedWorkFolderAndShm(string example)
    {
        var chart = Chart.RenderExample(example);

        var trainers = chart.OfKind("Deployment").Where(d => RenderedChart.Component(d) == "trainer").ToList();
        Assert.NotEmpty(trainers);
        foreach (var deployment in trainers)
        {
            var pod = deployment["spec"]!["template"]!["spec"]!.AsObject();
            var grace = int.Parse((string)pod["terminationGracePeriodSeconds"]!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(grace, 60, 3600);
            var volumes = pod["volumes"]!.AsArray();
            Assert.NotNull(volumes.Single(v => (string?)v!["name"] == "work")!["emptyDir"]!["sizeLimit"]);
            var shm = volumes.Single(v => (string?)v!["name"] == "shm")!["emptyDir"]!;
            Assert.Equal("Memory", (string?)shm["medium"]);
            Assert.NotNull(shm["sizeLimit"]);
            var trainer = Assert.Single(Containers(pod));
            Assert.Contains(trainer["volumeMounts"]!.AsArray(), m => (string?)m!["mountPath"] == "/dev/shm");
            // Pool keys a values file leaves out get the chart's defaults, never an empty setting the trainer cannot parse.
            Assert.True(int.TryParse(Env(trainer, "CAUCHY_TRAINER__THREADS"), out _), $"{RenderedChart.Name(deployment)}: Trainer:Threads is not a number");
            Assert.True(int.TryParse(Env(trainer, "CAUCHY_TRAINER__LOADERWORKERS"), out _), $"{RenderedChart.Name(deployment)}: Trainer:LoaderWorkers is not a number");
            // The host stops before SIGKILL, so the drain's last log lines are written.
            Assert.Equal($"{grace - 10}", Env(trainer, "CAUCHY_HOSTING__SHUTDOWNTIMEOUTSECONDS"));
        }
    }

    [SkippableFact]
    public void Autoscaling_IsOffByDefaultAndScalesOnTheQueueWhenOn()
    {
        Assert.Empty(Chart.Render("defaults").OfKind("HorizontalPodAutoscaler"));

        var chart = Chart.RenderExample("gpu-cluster");
        var autoscaler = Assert.Single(chart.OfKind("HorizontalPodAutoscaler"));
        Assert.Equal("cauchy-trainer-a100", (string?)autoscaler["spec"]!["scaleTargetRef"]!["name"]);
        Assert.Equal("cauchy_jobs_queued", (string?)autoscaler["spec"]!["metrics"]![0]!["external"]!["metric"]!["name"]);
        // The autoscaler owns the replica count.
        Assert.Null(chart.Single("Deployment", "cauchy-trainer-a100")["spec"]!["replicas"]);
    }

    [SkippableFact]
    public void ServicesOfTheApi_HavePodDisruptionBudgetsAndSpreadOverNodes()
    {
        var chart = Chart.Render("defaults");

        foreach (var component in new[] { "datasets", "orchestrator", "metrics", "registry" })
        {
            Assert.NotNull(chart.Single("PodDisruptionBudget", $"cauchy-{component}"));
            var affinity = chart.Single("Deployment", $"cauchy-{component}")["spec"]!["template"]!["spec"]!["affinity"]!;
            var term = affinity["podAntiAffinity"]!["preferredDuringSchedulingIgnoredDuringExecution"]![0]!["podAffinityTerm"]!;
            Assert.Equal("kubernetes.io/hostname", (string?)term["topologyKey"]);
            Assert.Equal(component, (string?)term["labelSelector"]!["matchLabels"]!["app.kubernetes.io/component"]);
        }
    }

    private static IEnumerable<JsonObject> Containers(JsonObject pod) =>
        pod["containers"]!.AsArray().Select(c => c!.AsObject());

    private static string? Env(JsonObject container, string name) =>
        (string?)container["env"]?.AsArray().SingleOrDefault(e => (string?)e!["name"] == name)?["value"];
}
