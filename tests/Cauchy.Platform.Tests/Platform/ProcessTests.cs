using Cauchy.Platform.Tests.Infrastructure;
using Xunit;

namespace Cauchy.Platform.Tests.Platform;

/// <summary>
/// "Every service its own process": the pid files up.sh wrote name five distinct live processes, each running
/// its own service assembly and holding that service's gRPC and HTTP listeners.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ProcessTests(PlatformFixture fixture)
{
    [Fact]
    public void PidFiles_NameFiveDistinctProcesses()
    {
        var pids = PlatformService.All.Select(s => fixture.Platform.ReadPid(s)).ToList();

        Assert.All(pids, pid => Assert.NotNull(pid));
        Assert.Equal(PlatformService.All.Count, pids.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(PlatformService.Names), MemberType = typeof(PlatformService))]
    public void PidFile_NamesALiveProcessRunningTheServiceAssembly(string name)
    {
        var service = PlatformService.Named(name);

        var pid = fixture.Platform.ReadPid(service);

        Assert.True(pid is not null, $"no pid file {fixture.Platform.PidFile(service)}");
        Assert.True(ProcFs.IsRunning(pid.Value), $"{service.Name}: pid {pid} is not running");
        var commandLine = ProcFs.CommandLine(pid.Value);
        Assert.True(
            commandLine.Any(arg => Path.GetFileName(arg) == $"{service.Assembly}.dll"),
            $"{service.Name}: pid {pid} runs `{string.Join(' ', commandLine)}`, not {service.Assembly}.dll");
        // The same build configuration as the tests: up.sh was given it.
        Assert.Contains(commandLine, arg => arg.Contains($"/bin/{RepositoryLayout.Configuration}/", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(PlatformService.Names), MemberType = typeof(PlatformService))]
    public void ServiceProcess_ListensOnItsOwnGrpcAndHttpPorts(string name)
    {
        var service = PlatformService.Named(name);
        var pid = fixture.Platform.ReadPid(service) ?? throw new InvalidOperationException($"no pid file for {service.Name}");

        var ports = ProcFs.ListeningPorts(pid);

        var others = PlatformService.All.Where(s => s != service)
            .SelectMany(s => new[] { fixture.Platform.GrpcPort(s), fixture.Platform.HttpPort(s) });
        Assert.Contains(fixture.Platform.GrpcPort(service), ports);
        Assert.Contains(fixture.Platform.HttpPort(service), ports);
        Assert.Empty(ports.Intersect(others));
    }

    [Fact]
    public async Task Status_ReportsEveryServiceRunningWithItsPidPortsAndGrpcHealth()
    {
        var status = await fixture.Platform.StatusAsync();

        Assert.True(status.ExitCode == 0, status.Describe());
        foreach (var service in PlatformService.All)
        {
            var line = status.StandardOutput.Split('\n').SingleOrDefault(l => l.StartsWith(service.Name + " ", StringComparison.Ordinal));
            Assert.True(line is not null, $"make status does not list {service.Name}:\n{status.StandardOutput}");
            Assert.Contains($"grpc 127.0.0.1:{fixture.Platform.GrpcPort(service)} ", line);
            Assert.Contains($"http 127.0.0.1:{fixture.Platform.HttpPort(service)} ", line);
            Assert.EndsWith($"running (pid {fixture.Pids[service]}), gRPC health SERVING", line.TrimEnd());
        }
    }

    [Theory]
    [MemberData(nameof(PlatformService.Names), MemberType = typeof(PlatformService))]
    public void ServiceLog_ShowsNoUnhandledException(string name)
    {
        var service = PlatformService.Named(name);
        var log = fixture.Platform.LogFile(service);

        var trace = ServiceLog.ExceptionTraceLines(ServiceLog.ReadFrom(log, 0));

        Assert.True(File.Exists(log), $"no log {log}");
        Assert.True(trace.Count == 0, $"{log} shows an unhandled exception:\n{string.Join('\n', trace.Take(40))}");
    }
}
