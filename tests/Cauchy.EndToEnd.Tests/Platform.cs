using System.Globalization;
using Cauchy.Testing;
using Cauchy.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cauchy.EndToEnd.Tests;

/// <summary>
/// The five services as separate processes on loopback, wired to each other through Services:&lt;Name&gt;:Address as
/// <c>make up</c> wires them, each with its own data folder; a real Prometheus scraping all five; and a small
/// Fashion-MNIST version imported through the Datasets API. Leases, heartbeats and the reaper run on short
/// intervals so that a lost job is leased again within seconds. The orchestrator can be killed and restarted on
/// the same port and data folder, and the trainer killed and replaced by a new process.
/// </summary>
public sealed class Platform : IAsyncDisposable
{
    public const string DatasetId = "e2e-fashion";
    public const int TrainImages = 4000;
    public const int TestImages = 500;

    /// <summary>How long a lease lasts without a heartbeat: a killed trainer's job is queued again after this.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);

    private readonly Dictionary<string, int> _ports;
    private readonly string _orchestratorData = TempDirectory.Create("cauchy-e2e-orchestrator");
    private readonly List<ServiceProcess> _retired = [];
    private readonly Dictionary<ServiceProcess, GrpcChannel> _channels = [];
    private int _trainers;

    private Platform(Dictionary<string, int> ports) => this._ports = ports;

    public ServiceProcess Datasets { get; private set; } = null!;

    public ServiceProcess Registry { get; private set; } = null!;

    public ServiceProcess Metrics { get; private set; } = null!;

    public ServiceProcess Orchestrator { get; private set; } = null!;

    /// <summary>The trainer now serving; null between <see cref="KillTrainerAsync"/> and <see cref="StartTrainerAsync"/>.</summary>
    public ServiceProcess? Trainer { get; private set; }

    public PrometheusServer Prometheus { get; private set; } = null!;

    /// <summary>The imported version of <see cref="DatasetId"/>.</summary>
    public DatasetVersion Dataset { get; private set; } = null!;

    public string TrainerWorkerId => $"e2e-trainer-{_trainers}";

    /// <summary>The admin token the orchestrator wrote at its first start (authentication is on, as with make up).</summary>
    public string AdminToken => File.ReadAllText(Path.Combine(_orchestratorData, "admin.token")).Trim();

    /// <summary>A client of the orchestrator running now (a restarted one gets a channel of its own).</summary>
    public V1.Jobs.JobsClient Jobs => new(ChannelTo(Orchestrator));

    public V1.Models.ModelsClient Models => new(ChannelTo(Registry));

    public V1.Datasets.DatasetsClient DatasetsClient => new(ChannelTo(Datasets));

    public V1.Metrics.MetricsClient MetricsClient => new(ChannelTo(Metrics));

    public static async Task<Platform> StartAsync()
    {
        var ports = new Dictionary<string, int>();
        foreach (string name in new[] { "datasets", "orchestrator", "trainer", "metrics", "registry" })
        {
            int port;
            do
            {
                port = ServiceProcess.FreeServicePort();
            }
            while (ports.Values.Any(p => Math.Abs(p - port) is 0 or 1000));
            ports[name] = port;
        }

        var platform = new Platform(ports);
        try
        {
            await platform.StartServicesAsync();
            return platform;
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }
    }

    /// <summary>kill -9 of the orchestrator; <see cref="StartOrchestratorAsync"/> brings it back on the same port and data.</summary>
    public Task KillOrchestratorAsync() => Orchestrator.KillAsync();

    public async Task StartOrchestratorAsync()
    {
        if (Orchestrator is { HasExited: true })
        {
            _retired.Add(Orchestrator);
        }

        Orchestrator = await ServiceProcess.StartAsync("orchestrator", "Cauchy.Orchestrator", OrchestratorEnvironment(), _orchestratorData, _ports["orchestrator"], StartTimeout);
    }

    /// <summary>kill -9 of the trainer process (its data folder stays, as a node's disk would, until the platform goes).</summary>
    public async Task KillTrainerAsync()
    {
        ServiceProcess trainer = Trainer ?? throw new InvalidOperationException("no trainer is running");
        await trainer.KillAsync();
        _retired.Add(trainer);
        Trainer = null;
    }

    /// <summary>A new trainer process with a new worker id and data folder, on the trainer's port (Prometheus keeps scraping it).</summary>
    public async Task StartTrainerAsync()
    {
        if (Trainer is not null)
        {
            throw new InvalidOperationException("a trainer is already running; kill it first");
        }

        _trainers++;
        var environment = Peers();
        environment["CAUCHY_TRAINER__WORKERID"] = TrainerWorkerId;
        environment["CAUCHY_TRAINER__DEVICE"] = "cpu";
        // One libtorch thread: the machine is shared, and every trainer of a job computes in the same order.
        environment["CAUCHY_TRAINER__THREADS"] = "1";
        environment["CAUCHY_TRAINER__LOADERWORKERS"] = "1";
        environment["CAUCHY_TRAINER__LEASEWAITSECONDS"] = "5";
        environment["CAUCHY_TRAINER__PROGRESSEVERYSTEPS"] = "2";
        // The circuit breaker's pause scales with the test's short leases: after the orchestrator restarts, the next
        // heartbeat must reach it well before the lease runs out.
        environment["CAUCHY_RESILIENCE__CIRCUITBREAKER__BREAKSECONDS"] = "1";
        Trainer = await ServiceProcess.StartAsync("trainer", "Cauchy.Trainer", environment, grpcPort: _ports["trainer"], startTimeout: StartTimeout);
    }

    /// <summary>Everything the services printed, for failure messages.</summary>
    public string Logs()
    {
        var all = new List<(string Name, ServiceProcess Process)>
        {
            ("datasets", Datasets), ("registry", Registry), ("metrics", Metrics), ("orchestrator", Orchestrator),
        };
        all.AddRange(_retired.Select(r => ("retired", r)));
        if (Trainer is not null)
        {
            all.Add(("trainer", Trainer));
        }

        return string.Join("\n", all.Where(s => s.Process is not null).Select(s => $"--- {s.Name} (pid {s.Process.ProcessId}) ---\n{Tail(s.Process.Output, 60)}"));
    }

    public async ValueTask DisposeAsync()
    {
        lock (_channels)
        {
            foreach (GrpcChannel channel in _channels.Values)
            {
                channel.Dispose();
            }
        }

        foreach (ServiceProcess? service in new[] { Trainer, Orchestrator, Datasets, Metrics, Registry }.Concat(_retired))
        {
            if (service is not null)
            {
                await service.DisposeAsync();
            }
        }

        if (Prometheus is not null)
        {
            await Prometheus.DisposeAsync();
        }

        TempDirectory.Delete(_orchestratorData);
    }

    private GrpcChannel ChannelTo(ServiceProcess service)
    {
        lock (_channels)
        {
            if (!_channels.TryGetValue(service, out GrpcChannel? channel))
            {
                channel = TestAuthentication.Channel(service.Address, AdminToken);
                _channels[service] = channel;
            }

            return channel;
        }
    }

    private static TimeSpan StartTimeout => TimeSpan.FromSeconds(180);

    private async Task StartServicesAsync()
    {
        var prometheus = PrometheusServer.StartAsync(_ports.ToDictionary(p => p.Key, p => $"127.0.0.1:{p.Value + 1000}"));
        var registry = ServiceProcess.StartAsync("registry", "Cauchy.Registry", Peers(), grpcPort: _ports["registry"], startTimeout: StartTimeout);
        var metrics = ServiceProcess.StartAsync("metrics", "Cauchy.Metrics", Peers(), grpcPort: _ports["metrics"], startTimeout: StartTimeout);
        var datasetsEnvironment = Peers();
        datasetsEnvironment["CAUCHY_DATASETS__SHARDS__MAXSAMPLES"] = "1000";
        var datasets = ServiceProcess.StartAsync("datasets", "Cauchy.Datasets", datasetsEnvironment, grpcPort: _ports["datasets"], startTimeout: StartTimeout);
        var orchestrator = ServiceProcess.StartAsync("orchestrator", "Cauchy.Orchestrator", OrchestratorEnvironment(), _orchestratorData, _ports["orchestrator"], StartTimeout);
        try
        {
            await Task.WhenAll(prometheus, registry, metrics, datasets, orchestrator);
        }
        finally
        {
            // Keep whatever started, so that DisposeAsync stops it even when another failed.
            Prometheus = prometheus.IsCompletedSuccessfully ? prometheus.Result : null!;
            Registry = registry.IsCompletedSuccessfully ? registry.Result : null!;
            Metrics = metrics.IsCompletedSuccessfully ? metrics.Result : null!;
            Datasets = datasets.IsCompletedSuccessfully ? datasets.Result : null!;
            Orchestrator = orchestrator.IsCompletedSuccessfully ? orchestrator.Result : null!;
        }

        Dataset = await ImportDatasetAsync();
        await StartTrainerAsync();
    }

    private async Task<DatasetVersion> ImportDatasetAsync()
    {
        var client = DatasetsClient;
        await client.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = DatasetId, TaskType = TaskType.Classification, Description = "Fashion-MNIST, first images" }, Deadline());
        byte[] archive = FashionMnistSubset.Tar(TrainImages, TestImages);
        using var call = client.ImportDatasetVersion(Deadline());
        await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest
        {
            Header = new ImportDatasetVersionHeader
            {
                DatasetId = DatasetId,
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
        DatasetVersion version = (await call.ResponseAsync).Version;
        long Count(Split split) => version.SplitCounts.FirstOrDefault(c => c.Split == split)?.SampleCount ?? 0;
        if (Count(Split.Train) != TrainImages || Count(Split.Test) != TestImages)
        {
            throw new InvalidOperationException($"the import gave splits {version.SplitCounts}, not {TrainImages} train and {TestImages} test images");
        }

        return version;
    }

    private Dictionary<string, string> OrchestratorEnvironment()
    {
        var environment = Peers();
        environment["CAUCHY_JOBS__LEASESECONDS"] = Lease.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        environment["CAUCHY_JOBS__HEARTBEATINTERVALSECONDS"] = "1";
        environment["CAUCHY_JOBS__REAPERINTERVALSECONDS"] = "1";
        environment["CAUCHY_JOBS__POLLSECONDS"] = "0.5";
        environment["CAUCHY_JOBS__GAUGECACHESECONDS"] = "0";
        environment["CAUCHY_AUTHENTICATION__BOOTSTRAPTOKENFILE"] = Path.Combine(_orchestratorData, "admin.token");
        return environment;
    }

    /// <summary>Every service's address under each name a service looks its peers up by (as scripts/up.sh sets them).</summary>
    private Dictionary<string, string> Peers()
    {
        var environment = _ports.ToDictionary(p => $"CAUCHY_SERVICES__{p.Key.ToUpperInvariant()}__ADDRESS", p => $"http://127.0.0.1:{p.Value}");
        environment["CAUCHY_SERVICES__JOBS__ADDRESS"] = $"http://127.0.0.1:{_ports["orchestrator"]}";
        return environment;
    }

    public static CallOptions Deadline(int seconds = 120) => new(deadline: DateTime.UtcNow.AddSeconds(seconds));

    private static string Tail(string text, int lines)
    {
        string[] all = text.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }
}
