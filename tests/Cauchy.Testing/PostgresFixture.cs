using System.Diagnostics;
using System.Globalization;
using Cauchy.Data;
using Npgsql;
using Xunit;

namespace Cauchy.Testing;

/// <summary>
/// A throwaway PostgreSQL server (Debian's `postgresql` package) for one test collection: its own temporary data
/// folder, its own port below the ephemeral range, its own socket folder, listening on 127.0.0.1 only, trust
/// authentication as user "postgres". PostgreSQL refuses to run as root, so when the tests run as root initdb and
/// pg_ctl run as the `postgres` user through runuser. Stopped and removed on dispose; servers left behind by a killed
/// test run are stopped and removed by the next fixture that starts.
/// Use it as a collection fixture (declare the collection in the test assembly, see <see cref="CollectionName"/>);
/// <see cref="ITestDatabaseServer.DatabaseForAsync"/> gives each test class a fresh database.
/// </summary>
public sealed class PostgresFixture : TestDatabaseServerBase, IAsyncLifetime
{
    public const string CollectionName = "postgres";
    private const string FolderPrefix = "cauchy-pg-";
    private const string User = "postgres";

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"{FolderPrefix}{Guid.NewGuid():N}");
    private string _bin = "";
    private string _serverOptions = "";
    private bool _started;

    public int Port { get; private set; }

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    private string DataDirectory => Path.Combine(_root, "data");
    private string SocketDirectory => Path.Combine(_root, "sock");
    private string LogFile => Path.Combine(_root, "server.log");

    /// <summary>A connection string for <paramref name="database"/> on this server.</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = User,
        Database = database,
        IncludeErrorDetail = true,
        Timeout = 60,
        CommandTimeout = 120,
    }.ConnectionString;

    public async Task InitializeAsync()
    {
        _bin = FindBinaries();
        SweepLeftovers(_bin);
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(SocketDirectory);
        await File.WriteAllTextAsync(Path.Combine(_root, "owner.pid"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        if (RunningAsRoot)
        {
            await RunAsync("chown", ["-R", $"{User}:{User}", _root]);
        }
        await RunAsync(Path.Combine(_bin, "initdb"),
            ["-D", DataDirectory, "-A", "trust", "-U", User, "--encoding=UTF8", "--locale=C", "--no-sync"], asPostgres: true);

        // A port can be taken between the check and the bind by another server; try a few.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort.OutsideEphemeralRange();
            var serverOptions = string.Join(' ',
                $"-p {Port}", "-c listen_addresses=127.0.0.1", $"-c unix_socket_directories={SocketDirectory}",
                "-c max_connections=300", "-c shared_buffers=32MB", "-F", "-c full_page_writes=off", "-c synchronous_commit=off");
            var (exitCode, output) = await RunAsync(Path.Combine(_bin, "pg_ctl"),
                ["start", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "120", "-o", serverOptions], asPostgres: true, check: false);
            if (exitCode == 0)
            {
                _serverOptions = serverOptions;
                _started = true;
                break;
            }
            var log = File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile) : "";
            if (attempt >= 5 || !log.Contains("could not bind", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"PostgreSQL did not start (pg_ctl exit {exitCode}): {output}\n{log}");
            }
        }
    }

    /// <summary>
    /// Stops the server the way a crash would (immediate mode: no checkpoint, clients cut off); its data stays, and
    /// <see cref="StartAgainAsync"/> brings it back on the same port. For tests of what survives a database restart.
    /// </summary>
    public async Task StopAsync()
    {
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["stop", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "60"], asPostgres: true);
        _started = false;
    }

    /// <summary>Starts the server stopped by <see cref="StopAsync"/> again, on the same port and data (crash recovery runs first).</summary>
    public async Task StartAgainAsync()
    {
        await RunAsync(Path.Combine(_bin, "pg_ctl"),
            ["start", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "120", "-o", _serverOptions], asPostgres: true);
        _started = true;
    }

    public override async Task<DatabaseOptions> CreateDatabaseAsync(string name)
    {
        var database = UniqueName(name);
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
        await command.ExecuteNonQueryAsync();
        return DatabaseOptions.Postgres(ConnectionString(database));
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_started)
        {
            var (exitCode, _) = await RunAsync(Path.Combine(_bin, "pg_ctl"),
                ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60"], asPostgres: true, check: false);
            if (exitCode != 0)
            {
                await RunAsync(Path.Combine(_bin, "pg_ctl"), ["stop", "-D", DataDirectory, "-m", "immediate"], asPostgres: true, check: false);
            }
        }
        TempDirectory.Delete(_root);
    }

    private static bool RunningAsRoot => Environment.UserName == "root";

    /// <summary>The newest installed version's bin folder, /usr/lib/postgresql/&lt;version&gt;/bin.</summary>
    private static string FindBinaries()
    {
        const string Root = "/usr/lib/postgresql";
        var bin = Directory.Exists(Root)
            ? Directory.GetDirectories(Root)
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1))
                .Where(d => d.Version > 0 && File.Exists(Path.Combine(d.Dir, "bin", "pg_ctl")))
                .OrderByDescending(d => d.Version)
                .Select(d => Path.Combine(d.Dir, "bin"))
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            $"No PostgreSQL server under {Root}/<version>/bin: install Debian's postgresql package (`make deps`).");
    }

    /// <summary>Stops and removes servers whose test process is gone (a run killed before it could dispose them).</summary>
    private static void SweepLeftovers(string bin)
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var ownerFile = Path.Combine(folder, "owner.pid");
            try
            {
                if (!File.Exists(ownerFile) || !int.TryParse(File.ReadAllText(ownerFile), out var owner) || IsAlive(owner))
                {
                    continue;
                }
                if (File.Exists(Path.Combine(folder, "data", "postmaster.pid")))
                {
                    RunAsync(Path.Combine(bin, "pg_ctl"), ["stop", "-D", Path.Combine(folder, "data"), "-m", "immediate"], asPostgres: true, check: false)
                        .GetAwaiter().GetResult();
                }
                TempDirectory.Delete(folder);
            }
            catch (IOException)
            {
                // Another fixture may be sweeping the same folder.
            }
        }
    }

    private static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}");

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, bool asPostgres = false, bool check = true)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres && RunningAsRoot)
        {
            start.FileName = "runuser";
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add(User);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(file);
        }
        else
        {
            start.FileName = file;
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // pg_ctl runs in /tmp-owned folders; a working directory the postgres user cannot enter makes it complain.
        start.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        var output = (await stdout) + (await stderr);
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed (exit {process.ExitCode}): {output}");
        }
        return (process.ExitCode, output);
    }
}
