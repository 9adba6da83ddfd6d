using System.Globalization;
using Cauchy.Testing;
using Cauchy.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cauchy.Reliability.Tests;

/// <summary>
/// The five services as separate processes on loopback, each on a fixed port with a data folder of its own that
/// outlives the process, so that any of them can be killed and started again where it was. The orchestrator keeps its
/// jobs in a real PostgreSQL server; datasets, the registry and the trainer keep their objects in one bucket of a real
/// S3 server (s3rver). Leases, heartbeats and the reaper run on short intervals, so that what a fault does to a lease
/// shows within seconds. A small Fashion-MNIST version is imported at start.
/// </summary>
public sealed class ReliabilityPlatform : IAsyncDisposable
{
    public const string DatasetId = "reliability-fashion";
    public const int TrainImages = 600;
    public const int TestImages = 100;

    /// <summary>How long a lease lasts without a heartbeat.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);

    public static readonly string[] ServiceNames = ["datasets", "orchestrator", "metrics", "registry", "trainer"];

    private static readonly Dictionary<string, string> Assemblies = new()
    {
        ["datasets"] = "Cauchy.Datasets",
        ["orchestrator"] = "Cauchy.Orchestrator",
        ["metrics"] = "Cauchy.Metrics",
        ["registry"] = "Cauchy.Registry",
        ["trainer"] = "Cauchy.Trainer",
    };

    private readonly Dictionary<string, int> _ports = [];
    private readonly Dictionary<string, string> _dataRoots = [];
    private readonly Dictionary<string, ServiceProcess> _running = [];
    private readonly List<ServiceProcess> _retired = [];
    private readonly Dictionary<string, GrpcChannel> _channels = [];
    private readonly string _orchestratorConnectionString;

    private ReliabilityPlatform(PostgresFixture postgres, string orchestratorConnectionString)
    {
        Postgres = postgres;
        _orchestratorConnectionString = orchestratorConnectionString;
    }

    public PostgresFixture Postgres { get; }

    public RestartableS3Server S3 { get; } = new();

    /// <summary>The imported version of <see cref="DatasetId"/>.</summary>
    public DatasetVersion Dataset { get; private set; } = null!;

    /// <summary>The worker id of the trainer now running (each trainer process keeps the id across restarts).</summary>
    public string TrainerWorkerId => "reliability-trainer";

    public V1.Jobs.JobsClient Jobs => new(ChannelTo("orchestrator"));

    public V1.Models.ModelsClient Models => new(ChannelTo("registry"));

    public V1.Datasets.DatasetsClient DatasetsClient => new(ChannelTo("datasets"));

    public V1.Metrics.MetricsClient MetricsClient => new(ChannelTo("metrics"));

    public ServiceProcess Service(string name) => _running[name];

    public IEnumerable<ServiceProcess> Running => _running.Values;

    public static async Task<ReliabilityPlatform> StartAsync(PostgresFixture postgres)
    {
        var database = await postgres.CreateDatabaseAsync("orchestrator");
        var platform = new ReliabilityPlatform(postgres, database.ConnectionString!);
        try
        {
            foreach (string name in ServiceNames)
            {
                int port;
                do
                {
                    port = ServiceProcess.FreeServicePort();
                }
                while (platform._ports.Values.Any(p => Math.Abs(p - port) is 0 or 1000));
                platform._ports[name] = port;
                platform._dataRoots[name] = TempDirectory.Create($"cauchy-reliability-{name}");
            }

            await platform.S3.StartAsync();
            await Task.WhenAll(ServiceNames.Where(n => n != "trainer").Select(platform.StartServiceAsync));
            platform.Dataset = await platform.ImportAsync(DatasetId, TrainImages, TestImages);
            await platform.StartServiceAsync("trainer");
            return platform;
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }
    }

    /// <summary>kill -9 of one service; <see cref="StartServiceAsync"/> brings it back on the same port and data folder.</summary>
    public async Task KillAsync(string name)
    {
        ServiceProcess service = _running[name];
        await service.KillAsync();
        _running.Remove(name);
        _retired.Add(service);
    }

    public async Task StartServiceAsync(string name)
    {
        if (_running.ContainsKey(name))
        {
            throw new InvalidOperationException($"{name} is already running");
        }

        var environment = Peers();
        switch (name)
        {
            case "orchestrator":
                environment["CAUCHY_DATABASE__PROVIDER"] = "postgres";
                environment["CAUCHY_DATABASE__CONNECTIONSTRING"] = _orchestratorConnectionString;
                environment["CAUCHY_JOBS__LEASESECONDS"] = Lease.TotalSeconds.ToString(CultureInfo.InvariantCulture);
                environment["CAUCHY_JOBS__HEARTBEATINTERVALSECONDS"] = "1";
                environment["CAUCHY_JOBS__REAPERINTERVALSECONDS"] = "1";
                environment["CAUCHY_JOBS__POLLSECONDS"] = "0.5";
                environment["CAUCHY_JOBS__GAUGECACHESECONDS"] = "0";
                break;
            case "datasets":
                AddStorage(environment);
                environment["CAUCHY_DATASETS__SHARDS__MAXSAMPLES"] = "200";
                break;
            case "registry":
                AddStorage(environment);
                break;
            case "trainer":
                AddStorage(environment);
                environment["CAUCHY_TRAINER__WORKERID"] = TrainerWorkerId;
                environment["CAUCHY_TRAINER__DEVICE"] = "cpu";
                environment["CAUCHY_TRAINER__THREADS"] = "1";
                environment["CAUCHY_TRAINER__LOADERWORKERS"] = "1";
                environment["CAUCHY_TRAINER__LEASEWAITSECONDS"] = "5";
                environment["CAUCHY_TRAINER__PROGRESSEVERYSTEPS"] = "2";
                environment["CAUCHY_RESILIENCE__CIRCUITBREAKER__BREAKSECONDS"] = "1";
                break;
        }

        _running[name] = await ServiceProcess.StartAsync(name, Assemblies[name], environment, _dataRoots[name], _ports[name], TimeSpan.FromSeconds(180));
    }

    /// <summary>Imports a Fashion-MNIST subset as a new dataset through the Datasets API.</summary>
    public async Task<DatasetVersion> ImportAsync(string datasetId, int train, int test, TimeSpan? timeout = null)
    {
        var client = DatasetsClient;
        var deadline = Deadline((int)(timeout ?? TimeSpan.FromMinutes(3)).TotalSeconds);
        await client.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = datasetId, TaskType = TaskType.Classification, Description = "Fashion-MNIST, first images" }, deadline);
        byte[] archive = FashionMnistSubset.Tar(train, test);
        using var call = client.ImportDatasetVersion(deadline);
        await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest
        {
            Header = new ImportDatasetVersionHeader
            {
                DatasetId = datasetId,
                Format = DatasetFormat.Idx,
                ArchiveKind = ArchiveKind.Tar,
                Split = new SplitSpec { KeepSourceSplits = true, TrainFraction = 1 },
                Upload = new ArchiveUpload { SizeBytes = archive.Length },
            },
        });
        for (int offset = 0; offset < archive.Length; offset += 1 << 20)
        {
            await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest { Chunk = ByteString.CopyFrom(archive, offset, Math.Min(1 << 20, archive.Length - offset)) });
        }

        await call.RequestStream.CompleteAsync();
        return (await call.ResponseAsync).Version;
    }

    /// <summary>Everything the services printed (the last lines of each), for failure messages.</summary>
    public string Logs() => string.Join("\n",
        _running.Select(s => (s.Key, s.Value)).Concat(_retired.Select(r => ("retired", r)))
            .Select(s => $"--- {s.Item1} (pid {s.Item2.ProcessId}) ---\n{Tail(s.Item2.Output, 40)}"));

    public async ValueTask DisposeAsync()
    {
        lock (_channels)
        {
            foreach (GrpcChannel channel in _channels.Values)
            {
                channel.Dispose();
            }
        }

        foreach (ServiceProcess service in _running.Values.Concat(_retired))
        {
            await service.DisposeAsync();
        }

        await S3.DisposeAsync();
        foreach (string root in _dataRoots.Values)
        {
            TempDirectory.Delete(root);
        }
    }

    public static CallOptions Deadline(int seconds = 60) => new(deadline: DateTime.UtcNow.AddSeconds(seconds));

    /// <summary>
    /// One channel per service, by its fixed address: it reconnects by itself when a restarted process listens again.
    /// Calls carry a service credential (checked by each service itself), so a killed orchestrator does not also make
    /// the other services' token checks part of every scenario.
    /// </summary>
    private GrpcChannel ChannelTo(string name)
    {
        lock (_channels)
        {
            if (!_channels.TryGetValue(name, out GrpcChannel? channel))
            {
                channel = TestAuthentication.ServiceChannel(new Uri($"http://127.0.0.1:{_ports[name]}"), "reliability-load");
                _channels[name] = channel;
            }

            return channel;
        }
    }

    private void AddStorage(Dictionary<string, string> environment)
    {
        foreach (var (key, value) in S3.Environment())
        {
            environment[key] = value;
        }
    }

    /// <summary>Every service's address under each name a service looks its peers up by (as scripts/up.sh sets them).</summary>
    private Dictionary<string, string> Peers()
    {
        var environment = _ports.ToDictionary(p => $"CAUCHY_SERVICES__{p.Key.ToUpperInvariant()}__ADDRESS", p => $"http://127.0.0.1:{p.Value}");
        environment["CAUCHY_SERVICES__JOBS__ADDRESS"] = $"http://127.0.0.1:{_ports["orchestrator"]}";
        return environment;
    }

    private static string Tail(string text, int lines)
    {
        string[] all = text.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }
}
