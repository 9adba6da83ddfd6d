using System.Diagnostics;
using Cauchy.Platform.Tests.Infrastructure;
using Xunit;

namespace Cauchy.Platform.Tests.Lifecycle;

/// <summary>"make down stops exactly what make up started", with the real scripts on a platform of their own.</summary>
public sealed class MakeDownTests
{
    [Fact]
    public async Task Down_StopsTheFiveProcessesUpStarted()
    {
        var platform = ScriptedPlatform.CreateOnFreePorts();
        var pids = new Dictionary<PlatformService, int>();
        try
        {
            var up = await platform.UpAsync();
            foreach (var service in PlatformService.All)
            {
                if (platform.ReadPid(service) is int pid)
                {
                    pids[service] = pid;
                }
            }

            Assert.True(up.ExitCode == 0, $"{up.Describe()}\n{platform.LogTails()}");
            Assert.Equal(PlatformService.All.Count, pids.Values.Distinct().Count());
            Assert.All(pids.Values, pid => Assert.True(ProcFs.IsRunning(pid), $"pid {pid} is not running after up.sh"));

            // The addresses the cauchy CLI reads from the run folder: every service on this platform's ports.
            var addresses = Path.Combine(platform.RunDirectory, "addresses");
            var recorded = File.ReadAllLines(addresses);
            foreach (var service in PlatformService.All)
            {
                var name = service.Name == "orchestrator" ? "JOBS" : service.Name.ToUpperInvariant();
                Assert.Contains($"CAUCHY_{name}_ADDRESS=http://127.0.0.1:{platform.GrpcPort(service)}", recorded);
            }

            // `make up` twice starts nothing new: a second set of processes would outlive `make down`.
            var again = await platform.UpAsync();
            Assert.True(again.ExitCode == 0, again.Describe());
            foreach (var (service, pid) in pids)
            {
                Assert.Contains($"up: {service.Name} already running (pid {pid})", again.StandardOutput);
                Assert.Equal(pid, platform.ReadPid(service));
            }

            var down = await platform.DownAsync();

            Assert.True(down.ExitCode == 0, down.Describe());
            foreach (var (service, pid) in pids)
            {
                Assert.False(ProcFs.IsRunning(pid), $"{service.Name} (pid {pid}) still runs after down.sh\n{down.Describe()}");
                Assert.Contains($"stopped {service.Name} (pid {pid})", down.StandardOutput);
                Assert.False(File.Exists(platform.PidFile(service)), $"down.sh left {platform.PidFile(service)} behind");
                Assert.False(PortOffsets.IsListening(platform.GrpcPort(service)), $"port {platform.GrpcPort(service)} of {service.Name} still accepts connections");
            }

            Assert.False(File.Exists(addresses), $"down.sh left {addresses} behind");

            // SIGTERM is a graceful stop: a service that needs SIGKILL would lose work in Kubernetes too.
            Assert.DoesNotContain("did not stop", down.StandardOutput);
            var status = await platform.StatusAsync();
            Assert.Equal(PlatformService.All.Count, status.StandardOutput.Split('\n').Count(l => l.TrimEnd().EndsWith(" stopped", StringComparison.Ordinal)));

            // make up after make down appends to each service's log after a start marker: the first run's log stays.
            var firstRun = PlatformService.All.ToDictionary(service => service, service => ServiceLog.ReadFrom(platform.LogFile(service), 0));
            var restart = await platform.UpAsync();
            foreach (var service in PlatformService.All)
            {
                if (platform.ReadPid(service) is int pid)
                {
                    pids[service] = pid;
                }
            }

            Assert.True(restart.ExitCode == 0, $"{restart.Describe()}\n{platform.LogTails()}");
            foreach (var service in PlatformService.All)
            {
                var log = ServiceLog.ReadFrom(platform.LogFile(service), 0);
                Assert.StartsWith(firstRun[service], log);
                var markers = log.Split('\n').Where(l => l.StartsWith("===== ", StringComparison.Ordinal) && l.Contains($" up: starting {service.Name} (", StringComparison.Ordinal));
                Assert.Equal(2, markers.Count());
            }

            Assert.True((await platform.DownAsync()).ExitCode == 0);
        }
        finally
        {
            ScriptedPlatform.KillLeftovers(pids);
            platform.DeleteRunDirectory();
        }
    }

    [Fact]
    public async Task Down_LeavesAnUnrelatedProcessAloneWhenAPidFileIsStale()
    {
        // A pid file from an earlier run whose pid now belongs to someone else's process (here: a sleep we own).
        var runDirectory = Directory.CreateTempSubdirectory("cauchy-platform-tests-stale-").FullName;
        var platform = new ScriptedPlatform(PortOffsets.PickFree(), runDirectory);
        using var unrelated = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })
            ?? throw new InvalidOperationException("could not start sleep");
        try
        {
            var datasets = PlatformService.Named("datasets");
            Directory.CreateDirectory(Path.GetDirectoryName(platform.PidFile(datasets))!);
            await File.WriteAllTextAsync(platform.PidFile(datasets), $"{unrelated.Id}\n");

            var down = await platform.DownAsync();

            Assert.True(down.ExitCode == 0, down.Describe());
            Assert.True(ProcFs.IsRunning(unrelated.Id), $"down.sh killed pid {unrelated.Id} (`sleep 60`), which make up never started\n{down.Describe()}");
            Assert.False(unrelated.HasExited);
            Assert.Contains("datasets was not running", down.StandardOutput);
            Assert.False(File.Exists(platform.PidFile(datasets)), "down.sh must forget a stale pid file");
            Assert.DoesNotContain("stopped", down.StandardOutput);
        }
        finally
        {
            if (!unrelated.HasExited)
            {
                unrelated.Kill();
            }

            platform.DeleteRunDirectory();
        }
    }
}
