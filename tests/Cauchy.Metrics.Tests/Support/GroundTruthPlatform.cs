using System.Collections.Concurrent;
using Cauchy.Testing;
using Cauchy.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit;

namespace Cauchy.Metrics.Tests.Support;

/// <summary>
/// A datasets service and a metrics service that reads its ground truth from it (Services:Datasets:Address), each
/// its own process on loopback, with what the tests import into the datasets service.
/// </summary>
public sealed class GroundTruthPlatform : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<DatasetVersion>>> _imports = new(StringComparer.Ordinal);
    private GrpcChannel _datasetsChannel = null!;
    private GrpcChannel _metricsChannel = null!;

    public ServiceProcess DatasetsService { get; private set; } = null!;

    public ServiceProcess MetricsService { get; private set; } = null!;

    public V1.Datasets.DatasetsClient Datasets => new(_datasetsChannel);

    public V1.Metrics.MetricsClient Metrics => new(_metricsChannel);

    public async Task InitializeAsync()
    {
        // No registry here: deleting versions is not what these tests do.
        DatasetsService = await ServiceProcess.StartAsync("datasets", "Cauchy.Datasets", new Dictionary<string, string>
        {
            ["CAUCHY_DATASETS__CHECKREGISTRYLINEAGE"] = "false",
        });
        MetricsService = await ServiceProcess.StartAsync("metrics", "Cauchy.Metrics", new Dictionary<string, string>
        {
            ["CAUCHY_SERVICES__DATASETS__ADDRESS"] = DatasetsService.Address.ToString(),
        });
        _datasetsChannel = GrpcChannel.ForAddress(DatasetsService.Address);
        _metricsChannel = GrpcChannel.ForAddress(MetricsService.Address);
    }

    public async Task DisposeAsync()
    {
        _datasetsChannel.Dispose();
        _metricsChannel.Dispose();
        await MetricsService.DisposeAsync();
        await DatasetsService.DisposeAsync();
    }

    /// <summary>Imports <paramref name="tar"/> once per <paramref name="datasetId"/> (a new dataset), keeping the splits it declares.</summary>
    public Task<DatasetVersion> ImportAsync(string datasetId, TaskType task, DatasetFormat format, Func<byte[]> tar, IReadOnlyList<string>? classNames = null) =>
        _imports.GetOrAdd(datasetId, _ => new Lazy<Task<DatasetVersion>>(() => ImportOnceAsync(datasetId, task, format, tar(), classNames))).Value;

    private async Task<DatasetVersion> ImportOnceAsync(string datasetId, TaskType task, DatasetFormat format, byte[] archive, IReadOnlyList<string>? classNames)
    {
        try
        {
            return await DoImportAsync(datasetId, task, format, archive, classNames);
        }
        catch (RpcException ex)
        {
            var log = DatasetsService.Output;
            throw new InvalidOperationException($"importing '{datasetId}' failed: {ex.Status}\n{log[^Math.Min(4000, log.Length)..]}", ex);
        }
    }

    private async Task<DatasetVersion> DoImportAsync(string datasetId, TaskType task, DatasetFormat format, byte[] archive, IReadOnlyList<string>? classNames)
    {
        var client = Datasets;
        await client.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = datasetId, TaskType = task }, deadline: DateTime.UtcNow.AddSeconds(30));
        using var call = client.ImportDatasetVersion(deadline: DateTime.UtcNow.AddSeconds(120));
        var header = new ImportDatasetVersionHeader
        {
            DatasetId = datasetId,
            Format = format,
            ArchiveKind = ArchiveKind.Tar,
            Split = new SplitSpec { KeepSourceSplits = true },
            Upload = new ArchiveUpload { SizeBytes = archive.Length },
        };
        header.ClassNames.AddRange(classNames ?? []);
        await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest { Header = header });
        for (var offset = 0; offset < archive.Length; offset += 1 << 20)
        {
            await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest { Chunk = ByteString.CopyFrom(archive, offset, Math.Min(1 << 20, archive.Length - offset)) });
        }

        await call.RequestStream.CompleteAsync();
        return (await call.ResponseAsync).Version;
    }
}
