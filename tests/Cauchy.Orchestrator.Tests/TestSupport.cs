using Cauchy.Data;
using Cauchy.Orchestrator.Data;
using Cauchy.Orchestrator.Datasets;
using Cauchy.Orchestrator.Jobs;
using Cauchy.Orchestrator.Models;
using Cauchy.Testing;
using Cauchy.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cauchy.Orchestrator.Tests;

/// <summary>A clock the test moves by hand (for lease expiry); timers and timestamps stay real.</summary>
public sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (this)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (this)
        {
            _now += by;
        }
    }
}

/// <summary>
/// An in-memory dataset catalogue for the domain tests (the gRPC tests use a real gRPC server instead): datasets by
/// id, each with its versions oldest first.
/// </summary>
public sealed class InMemoryDatasetCatalog : IDatasetCatalog
{
    private readonly Dictionary<string, (TaskType Task, List<(string Version, long Train)> Versions)> _datasets = [];

    public InMemoryDatasetCatalog Add(string datasetId, TaskType task, params (string Version, long Train)[] versions)
    {
        _datasets[datasetId] = (task, versions.ToList());
        return this;
    }

    public Task<DatasetResolution> ResolveAsync(DatasetVersionRef reference, CancellationToken cancellationToken)
    {
        if (!_datasets.TryGetValue(reference.DatasetId, out var dataset))
        {
            return Task.FromResult(DatasetResolution.NotFound($"dataset '{reference.DatasetId}' does not exist"));
        }

        if (dataset.Versions.Count == 0)
        {
            return Task.FromResult(DatasetResolution.NotFound($"dataset '{reference.DatasetId}' has no version yet; import one first"));
        }

        var version = reference.VersionId.Length == 0
            ? dataset.Versions[^1]
            : dataset.Versions.FirstOrDefault(v => v.Version == reference.VersionId);
        return Task.FromResult(version.Version is null
            ? DatasetResolution.NotFound($"version '{reference.VersionId}' of dataset '{reference.DatasetId}' does not exist")
            : DatasetResolution.Found(reference.DatasetId, version.Version, dataset.Task, version.Train));
    }
}

/// <summary>An in-memory registry for the domain tests: the model versions it holds.</summary>
public sealed class InMemoryModelCatalog(params (string Name, int Version)[] versions) : IModelCatalog
{
    public Task<bool> ExistsAsync(ModelVersionRef version, CancellationToken cancellationToken) =>
        Task.FromResult(versions.Contains((version.ModelName, version.Version)));
}

public static class Specs
{
    public const string HypesYaml = """
        display_name: fashion cnn
        task_type: classification
        model: { architecture: simple_cnn }
        dataset: { dataset_id: fashion }
        hyperparameters:
          epochs: 2
          batch_size: 64
          optimizer: { kind: sgd, learning_rate: 0.05, momentum: 0.9 }
        labels: { team: vision }
        """;

    public static JobSpec Classification(string architecture = "simple_cnn", string dataset = "fashion", int priority = 0, int? maxRetries = null, int gpus = 0, int batchSize = 64)
    {
        var spec = new JobSpec
        {
            DisplayName = $"{architecture} on {dataset}",
            TaskType = TaskType.Classification,
            Model = new ModelSpec { Architecture = architecture },
            Dataset = new DatasetVersionRef { DatasetId = dataset },
            Hyperparameters = new Hyperparameters
            {
                Epochs = 2,
                BatchSize = batchSize,
                Optimizer = new Optimizer { Kind = OptimizerKind.Sgd, LearningRate = 0.05 },
            },
            Priority = priority,
            Resources = new ResourceRequirements { Gpus = gpus },
        };
        if (maxRetries is { } retries)
        {
            spec.MaxRetries = retries;
        }

        return spec;
    }

    public static DeviceInfo Cpu() => new() { Kind = DeviceKind.Cpu, Name = "test cpu", MemoryTotalBytes = 8L << 30, HostMemoryTotalBytes = 8L << 30 };

    public static DeviceInfo Cuda(int gpus) => new() { Kind = DeviceKind.Cuda, Name = "test gpu", GpuCount = gpus, MemoryTotalBytes = gpus * (16L << 30), HostMemoryTotalBytes = 64L << 30 };
}

/// <summary>The job use cases on a fresh database of the given server, with a hand-moved clock.</summary>
public sealed class QueueHarness
{
    private QueueHarness(JobStore store, IDatasetCatalog catalog, ManualTime time, IDbContextFactory<OrchestratorDbContext> factory, JobsOptions options)
    {
        Submission = new JobSubmission(store, catalog, new InMemoryModelCatalog(("imagenet-cnn", 1)), NullLogger<JobSubmission>.Instance);
        Queries = new JobQueries(store);
        Cancellation = new JobCancellation(store);
        Leases = new JobLeases(store, NullLogger<JobLeases>.Instance);
        Logs = new JobLogs(store);
        Metrics = new JobMetrics(store);
        Watch = new JobWatch(store);
        Time = time;
        Factory = factory;
        Options = options;
    }

    public JobSubmission Submission { get; }

    public JobQueries Queries { get; }

    public JobCancellation Cancellation { get; }

    public JobLeases Leases { get; }

    public JobLogs Logs { get; }

    public JobMetrics Metrics { get; }

    public JobWatch Watch { get; }

    public ManualTime Time { get; }

    public IDbContextFactory<OrchestratorDbContext> Factory { get; }

    public JobsOptions Options { get; }

    public static async Task<QueueHarness> CreateAsync(ITestDatabaseServer server, string name, IDatasetCatalog? catalog = null)
    {
        var database = await server.CreateDatabaseAsync(name.ToLowerInvariant()[..Math.Min(60, name.Length)]);
        var factory = new ContextFactory(ServiceDatabase.CreateOptions<OrchestratorDbContext>(database));
        await using (var db = factory.CreateDbContext())
        {
            await DatabaseMigrator.MigrateAsync(db);
        }

        var options = new JobsOptions { LeaseSeconds = 60, HeartbeatIntervalSeconds = 10, PollSeconds = 0.2 };
        var time = new ManualTime(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        catalog ??= new InMemoryDatasetCatalog()
            .Add("fashion", TaskType.Classification, ("v1", 1000), ("v2", 60000))
            .Add("shapes", TaskType.Detection, ("s1", 500))
            .Add("empty", TaskType.Classification);
        var store = new JobStore(factory, new JobSignals(), Microsoft.Extensions.Options.Options.Create(options), time);
        return new QueueHarness(store, catalog, time, factory, options);
    }

    private sealed class ContextFactory(DbContextOptions<OrchestratorDbContext> options) : IDbContextFactory<OrchestratorDbContext>
    {
        public OrchestratorDbContext CreateDbContext() => new(options);
    }
}
