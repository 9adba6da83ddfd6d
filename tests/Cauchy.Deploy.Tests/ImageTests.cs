using System.Text.Json;
using Cauchy.Deploy.Tests.Support;
using Cauchy.Testing;
using Xunit;

namespace Cauchy.Deploy.Tests;

/// <summary>
/// Builds the metrics service's image with scripts/images.sh (as `make images` does: mmdebstrap's root file system,
/// the installed .NET runtime, the app's publish output, podman) and runs it the way the chart does: as UID 10001 with
/// a read-only root file system and the writable paths as volumes. The metrics service is the smallest of the five;
/// the others are built the same way from the same Containerfile.
/// </summary>
public sealed class ImageTests
{
    private const string Tag = "image-test";
    private const string Image = $"localhost/cauchy/metrics:{Tag}";

    [SkippableFact]
    public void MetricsImage_BuildsAndAnswersHealthChecksReadOnly_AndStopsCleanlyOnSigterm()
    {
        Podman.Require();
        var build = Command.Run(Path.Combine(DeployTools.Root, "scripts", "images.sh"), ["metrics"],
            new Dictionary<string, string> { ["CAUCHY_IMAGE_TAG"] = Tag }, TimeSpan.FromMinutes(10));
        Assert.True(build.Succeeded, build.Transcript);

        var inspect = Podman.Run("image", "inspect", Image);
        Assert.True(inspect.Succeeded, inspect.Transcript);
        var config = JsonDocument.Parse(inspect.Output).RootElement[0].GetProperty("Config");
        Assert.Equal("10001:10001", config.GetProperty("User").GetString());
        var labels = config.GetProperty("Labels");
        Assert.Equal("cauchy-metrics", labels.GetProperty("org.opencontainers.image.title").GetString());
        Assert.False(string.IsNullOrEmpty(labels.GetProperty("org.opencontainers.image.revision").GetString()));

        string name = $"cauchy-image-test-{Environment.ProcessId}";
        int port = FreePort.OutsideEphemeralRange();
        try
        {
            var run = Podman.Run("run", "-d", "--name", name, "--read-only", "--cap-drop=all", "--security-opt=no-new-privileges",
                "-v", $"{name}-data:/var/lib/cauchy", "-v", $"{name}-tmp:/tmp", "-p", $"127.0.0.1:{port}:51054",
                "-e", "CAUCHY_DATABASE__PROVIDER=sqlite",
                // Authentication is on by default and needs the services' shared secret (the chart mounts one).
                "-e", "CAUCHY_AUTHENTICATION__SERVICESECRET=" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
                Image);
            Assert.True(run.Succeeded, run.Transcript);

            string health = WaitForHealth(port, name);
            Assert.Equal("ok", health);
            using (var http = new HttpClient())
            {
                string metrics = http.GetStringAsync($"http://127.0.0.1:{port}/metrics").GetAwaiter().GetResult();
                // prometheus-net's runtime metrics: there from the start (the gRPC ones appear with the first call).
                Assert.Contains("dotnet_collection_count_total", metrics);
            }

            var stop = Podman.Run("stop", "-t", "20", name);
            Assert.True(stop.Succeeded, stop.Transcript);
            var state = Podman.Run("inspect", name, "--format", "{{.State.ExitCode}}");
            var logs = Podman.Run("logs", name);
            Assert.True(state.Output.Trim() == "0", $"exit code {state.Output.Trim()} after SIGTERM\n{logs.Output}{logs.Error}");
            Assert.Contains("Application is shutting down", logs.Output + logs.Error);
        }
        finally
        {
            Podman.Run("rm", "-f", "-t", "0", name);
            Podman.Run("volume", "rm", "-f", $"{name}-data", $"{name}-tmp");
            Podman.Run("rmi", Image);
        }
    }

    /// <summary>Polls /healthz on the HTTP port for up to two minutes (the first start migrates the SQLite database).</summary>
    private static string WaitForHealth(int port, string container)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                return http.GetStringAsync($"http://127.0.0.1:{port}/healthz").GetAwaiter().GetResult().Trim();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Thread.Sleep(500);
            }
        }

        var logs = Podman.Run("logs", container);
        Assert.Fail($"the container answered no /healthz within two minutes\n{logs.Output}{logs.Error}");
        return "";
    }
}
