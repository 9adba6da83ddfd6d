using Grpc.Core;
using Grpc.Net.Client;

namespace Cauchy.Platform.Tests.Infrastructure;

/// <summary>
/// A platform started the way a developer starts it: scripts/up.sh (what `make up` runs) and scripts/down.sh
/// (what `make down` runs), in a run directory and on ports of its own so that it never touches a developer's
/// platform on the default ports.
/// </summary>
public sealed class ScriptedPlatform
{
    private static readonly TimeSpan UpTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan DownTimeout = TimeSpan.FromSeconds(70);

    public ScriptedPlatform(int portOffset, string runDirectory)
    {
        PortOffset = portOffset;
        RunDirectory = runDirectory;
        Environment = new Dictionary<string, string>
        {
            ["CAUCHY_PORT_OFFSET"] = portOffset.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CAUCHY_RUN_DIR"] = runDirectory,
            // The services inherit this from up.sh: a revoked token is refused everywhere within 5 s, which the
            // authentication tests wait for.
            ["CAUCHY_AUTHENTICATION__INTROSPECTIONCACHESECONDS"] = IntrospectionCacheSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    /// <summary>How long the services other than the orchestrator trust a "valid" answer about a platform token.</summary>
    public const int IntrospectionCacheSeconds = 5;

    public int PortOffset { get; }

    public string RunDirectory { get; }

    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>A platform on free ports with a fresh temporary run directory.</summary>
    public static ScriptedPlatform CreateOnFreePorts() =>
        new(PortOffsets.PickFree(), Directory.CreateTempSubdirectory("cauchy-platform-tests-").FullName);

    public int GrpcPort(PlatformService service) => service.DefaultGrpcPort + PortOffset;

    public int HttpPort(PlatformService service) => GrpcPort(service) + 1000;

    public string GrpcAddress(PlatformService service) => $"127.0.0.1:{GrpcPort(service)}";

    public Uri GrpcUri(PlatformService service) => new($"http://127.0.0.1:{GrpcPort(service)}");

    public Uri HttpUri(PlatformService service, string path) => new($"http://127.0.0.1:{HttpPort(service)}{path}");

    /// <summary>The admin token the orchestrator wrote into the run folder at its first start (the CLI's default token).</summary>
    public string AdminToken => File.ReadAllText(Path.Combine(RunDirectory, "admin.token")).Trim();

    /// <summary>A channel to the service whose calls carry the admin token.</summary>
    public GrpcChannel Channel(PlatformService service) => Channel(service, AdminToken);

    /// <summary>A channel to the service whose calls carry <paramref name="credential"/> (nothing when null).</summary>
    public GrpcChannel Channel(PlatformService service, string? credential)
    {
        var options = new GrpcChannelOptions();
        if (credential is not null)
        {
            options.Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("authorization", "Bearer " + credential);
                return Task.CompletedTask;
            }));
            options.UnsafeUseInsecureChannelCallCredentials = true;
        }

        return GrpcChannel.ForAddress(GrpcUri(service), options);
    }

    public string PidFile(PlatformService service) => Path.Combine(RunDirectory, "pids", $"{service.Name}.pid");

    public string LogFile(PlatformService service) => Path.Combine(RunDirectory, "logs", $"{service.Name}.log");

    /// <summary>scripts/up.sh &lt;Config&gt;, with the configuration the tests were built in.</summary>
    public Task<ProcessResult> UpAsync() =>
        ProcessRunner.RunAsync("bash", [RepositoryLayout.UpScript, RepositoryLayout.Configuration], UpTimeout, Environment);

    /// <summary>scripts/up.sh --status (what `make status` runs).</summary>
    public Task<ProcessResult> StatusAsync() =>
        ProcessRunner.RunAsync("bash", [RepositoryLayout.UpScript, "--status"], DownTimeout, Environment);

    public Task<ProcessResult> DownAsync() =>
        ProcessRunner.RunAsync("bash", [RepositoryLayout.DownScript], DownTimeout, Environment);

    /// <summary>The pid a service's pid file names, or null when there is no pid file.</summary>
    public int? ReadPid(PlatformService service)
    {
        var file = PidFile(service);
        return File.Exists(file) ? int.Parse(File.ReadAllText(file).Trim(), System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The last lines of every service's log, for failure messages.</summary>
    public string LogTails(int lines = 30)
    {
        var tails = PlatformService.All.Select(service =>
        {
            var file = LogFile(service);
            var text = File.Exists(file) ? string.Join('\n', ServiceLog.ReadAllLines(file).TakeLast(lines)) : "(no log file)";
            return $"--- {file} ---\n{text}";
        });
        return string.Join('\n', tails);
    }

    /// <summary>
    /// Last resort after down.sh: stops the given processes if they still run and still are the services
    /// (the command line names the service's assembly), so that a failing test never leaves a platform behind.
    /// </summary>
    public static void KillLeftovers(IReadOnlyDictionary<PlatformService, int> pids)
    {
        foreach (var (service, pid) in pids)
        {
            if (ProcFs.IsRunning(pid) && ProcFs.CommandLine(pid).Any(arg => arg.EndsWith($"{service.Assembly}.dll", StringComparison.Ordinal)))
            {
                try
                {
                    using var process = System.Diagnostics.Process.GetProcessById(pid);
                    process.Kill();
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // It exited between the check and the kill.
                }
            }
        }
    }

    public void DeleteRunDirectory()
    {
        try
        {
            Directory.Delete(RunDirectory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A service still writing its log; the temporary folder is harmless.
        }
    }
}
