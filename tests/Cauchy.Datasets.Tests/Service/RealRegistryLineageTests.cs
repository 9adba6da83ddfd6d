using System.Text;
using System.Text.Json;
using Cauchy.Datasets.Tests.Support;
using Cauchy.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Cauchy.Datasets.Tests.Service;

/// <summary>
/// The deletion rule against the real model registry, both services as processes: a dataset version that a
/// registered model version names in its lineage cannot be deleted until that model version is gone.
/// </summary>
public sealed class RealRegistryLineageTests : IAsyncLifetime
{
    private CauchyServiceProcess _registry = null!;
    private CauchyServiceProcess _datasets = null!;

    public async Task InitializeAsync()
    {
        _registry = new CauchyServiceProcess(service: "registry");
        await _registry.StartAsync();
        _datasets = new CauchyServiceProcess(new Dictionary<string, string>
        {
            ["CAUCHY_SERVICES__REGISTRY__ADDRESS"] = $"http://127.0.0.1:{_registry.Port}",
        });
        await _datasets.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _datasets.DisposeAsync();
        await _registry.DisposeAsync();
    }

    [Fact]
    public async Task A_version_in_a_registered_model_lineage_is_kept_until_the_model_version_is_deleted()
    {
        using var datasetsChannel = _datasets.CreateChannel();
        using var registryChannel = _registry.CreateChannel();
        var datasets = new V1.Datasets.DatasetsClient(datasetsChannel);
        var models = new Models.ModelsClient(registryChannel);

        await datasets.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = "shapes", TaskType = TaskType.Classification });
        var archive = SampleSets.ImageFolder(Shapes.Generate(4, 71)).Build(ArchiveKind.Tar);
        ImportDatasetVersionResponse imported;
        using (var import = datasets.ImportDatasetVersion())
        {
            await import.RequestStream.WriteAsync(new ImportDatasetVersionRequest
            {
                Header = new ImportDatasetVersionHeader { DatasetId = "shapes", Format = DatasetFormat.ImageFolder, ArchiveKind = ArchiveKind.Tar, Upload = new ArchiveUpload() },
            });
            await import.RequestStream.WriteAsync(new ImportDatasetVersionRequest { Chunk = ByteString.CopyFrom(archive) });
            await import.RequestStream.CompleteAsync();
            imported = await import.ResponseAsync;
        }
        var versionId = imported.Version.VersionId;

        var weights = Safetensors();
        ModelVersion trained;
        using (var upload = models.CreateModelVersion())
        {
            await upload.RequestStream.WriteAsync(new CreateModelVersionRequest
            {
                Header = new CreateModelVersionHeader
                {
                    ModelName = "shapes-cnn",
                    CreateModel = true,
                    ClassNames = { imported.Version.ClassNames },
                    Weights = new WeightsUpload { SizeBytes = weights.Length, Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(weights)) },
                    Lineage = new Lineage
                    {
                        JobId = "job-1",
                        Attempt = 1,
                        DatasetVersion = new DatasetVersionRef { DatasetId = "shapes", VersionId = versionId },
                        JobSpec = new JobSpec
                        {
                            TaskType = TaskType.Classification,
                            Model = new ModelSpec { Architecture = "simple_cnn" },
                            Hyperparameters = new Hyperparameters { Epochs = 1, BatchSize = 4 },
                        },
                    },
                },
            });
            await upload.RequestStream.WriteAsync(new CreateModelVersionRequest { Chunk = ByteString.CopyFrom(weights) });
            await upload.RequestStream.CompleteAsync();
            trained = (await upload.ResponseAsync).ModelVersion;
        }

        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            datasets.DeleteDatasetVersionAsync(new DeleteDatasetVersionRequest { DatasetId = "shapes", VersionId = versionId }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains($"'shapes-cnn' version {trained.Version}", refused.Status.Detail);
        var forced = await Assert.ThrowsAsync<RpcException>(() =>
            datasets.DeleteDatasetAsync(new DeleteDatasetRequest { DatasetId = "shapes", Force = true }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, forced.StatusCode);

        await models.DeleteModelVersionAsync(new DeleteModelVersionRequest { ModelVersion = new ModelVersionRef { ModelName = "shapes-cnn", Version = trained.Version } });
        await datasets.DeleteDatasetVersionAsync(new DeleteDatasetVersionRequest { DatasetId = "shapes", VersionId = versionId });
        var gone = await Assert.ThrowsAsync<RpcException>(() =>
            datasets.GetDatasetVersionAsync(new GetDatasetVersionRequest { DatasetId = "shapes", VersionId = versionId }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
    }

    /// <summary>A safetensors file with one F32 tensor of 16 values.</summary>
    private static byte[] Safetensors()
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["weight"] = new { dtype = "F32", shape = new[] { 16 }, data_offsets = new[] { 0, 64 } },
        });
        var header = Encoding.UTF8.GetBytes(json.PadRight((json.Length + 7) / 8 * 8));
        var bytes = new byte[8 + header.Length + 64];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), (long)header.Length);
        header.CopyTo(bytes, 8);
        return bytes;
    }
}
