namespace Cauchy.Deploy.Tests.Support;

/// <summary>Renders charts/cauchy with helm, as release "cauchy" in namespace "cauchy".</summary>
public static class Chart
{
    /// <summary>The example values files, by name (charts/cauchy/examples/&lt;name&gt;.yaml).</summary>
    public static readonly string[] Examples = ["minimal", "gpu-cluster", "cpu-only", "local-podman"];

    /// <summary>The prometheus-operator's API, as `helm template` would see it on a cluster that serves it.</summary>
    public static readonly string[] WithMonitoringApi = ["--api-versions", "monitoring.coreos.com/v1"];

    public static string ExampleFile(string example) => Path.Combine(DeployTools.ChartDirectory, "examples", example + ".yaml");

    public static CommandResult Template(params IEnumerable<string> arguments) =>
        Command.Run(DeployTools.Helm(), ["template", "cauchy", DeployTools.ChartDirectory, "--namespace", "cauchy", .. arguments]);

    /// <summary>Renders and parses; a failed render fails the test with helm's output.</summary>
    public static RenderedChart Render(string profile, params IEnumerable<string> arguments)
    {
        var result = Template(arguments);
        Xunit.Assert.True(result.Succeeded, $"helm template ({profile}) failed:\n{result.Transcript}");
        return new RenderedChart(profile, result.Output, Yaml.LoadAll(result.Output));
    }

    /// <summary>An example values file rendered as on a cluster with the Prometheus operator.</summary>
    public static RenderedChart RenderExample(string example) =>
        Render(example, ["-f", ExampleFile(example), .. WithMonitoringApi]);
}
