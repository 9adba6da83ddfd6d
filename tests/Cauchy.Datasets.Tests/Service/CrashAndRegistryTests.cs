using Cauchy.Datasets.Tests.Support;
using Cauchy.Testing;
using Cauchy.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Cauchy.Datasets.Tests.Service;

/// <summary>Each test runs its own service process: one is killed mid-import, one has no registry to ask.</summary>
public sealed class CrashAndRegistryTests
{
    [Fact]
    public async Task Kill_9_mid_import_leaves_no_visible_version_and_a_restart_removes_the_leftovers()
    {
        const string folder = "/usr/share/datasets/fashion-mnist";
        Assert.True(Directory.Exists(folder), "install the Debian package dataset-fashion-mnist (make deps)");
        await using var service = new CauchyServiceProcess(new Dictionary<string, string>
        {
            ["CAUCHY_DATASETS__CHECKREGISTRYLINEAGE"] = "false",
            ["CAUCHY_DATASETS__SHARDS__MAXSAMPLES"] = "200",
        });
        await service.StartAsync();
        var archive = new ArchiveBuilder();
        foreach (var file in Directory.GetFiles(folder, "*-ubyte.gz"))
        {
            archive.Add(Path.GetFileName(file), File.ReadAllBytes(file));
        }
        var bytes = archive.Build(ArchiveKind.Tar);

        using (var channel = service.CreateChannel())
        {
            var client = new V1.Datasets.DatasetsClient(channel);
            await client.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = "fashion", TaskType = TaskType.Classification });
            var call = client.ImportDatasetVersion();
            await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest
            {
                Header = new ImportDatasetVersionHeader { DatasetId = "fashion", Format = DatasetFormat.Idx, ArchiveKind = ArchiveKind.Tar, Upload = new ArchiveUpload() },
            });
            for (var offset = 0; offset < bytes.Length; offset += 1 << 20)
            {
                await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest { Chunk = ByteString.CopyFrom(bytes, offset, Math.Min(1 << 20, bytes.Length - offset)) });
            }
            await call.RequestStream.CompleteAsync();

            // Kill the process as soon as the first shard of the import is in the store.
            var shards = Path.Combine(service.ObjectsRoot, "datasets", "fashion");
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (!(Directory.Exists(shards) && Directory.EnumerateFiles(shards, "*.shard", SearchOption.AllDirectories).Any()))
            {
                Assert.False(call.ResponseAsync.IsCompleted, "the import finished before a shard was seen: nothing to interrupt");
                Assert.True(DateTime.UtcNow < deadline, $"no shard appeared within 120 s\n{service.Output}");
                await Task.Delay(5);
            }
            await service.KillAsync();
            Assert.False(call.ResponseAsync.IsCompletedSuccessfully);
            call.Dispose();
        }
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(service.ObjectsRoot, "datasets", "fashion"), "*", SearchOption.AllDirectories));

        await service.StartAsync();
        using (var channel = service.CreateChannel())
        {
            var client = new V1.Datasets.DatasetsClient(channel);
            Assert.Empty((await client.ListDatasetVersionsAsync(new ListDatasetVersionsRequest { DatasetId = "fashion" })).Versions);
            Assert.Equal(0, (await client.GetDatasetAsync(new GetDatasetRequest { DatasetId = "fashion" })).Dataset.VersionCount);
        }
        var leftovers = Path.Combine(service.ObjectsRoot, "datasets", "fashion");
        var sweepDeadline = DateTime.UtcNow.AddSeconds(60);
        while (Directory.Exists(leftovers) && Directory.EnumerateFiles(leftovers, "*", SearchOption.AllDirectories).Any())
        {
            Assert.True(DateTime.UtcNow < sweepDeadline, "the restarted service did not remove the interrupted import's objects within 60 s");
            await Task.Delay(100);
        }
        Assert.False(Directory.Exists(Path.Combine(service.DataRoot, "work")) && Directory.EnumerateDirectories(Path.Combine(service.DataRoot, "work")).Any());
    }

    [Fact]
    public async Task Without_an_answer_from_the_registry_a_version_is_not_deleted()
    {
        await using var service = new CauchyServiceProcess(new Dictionary<string, string>
        {
            ["CAUCHY_SERVICES__REGISTRY__ADDRESS"] = $"http://127.0.0.1:{FreePort.OutsideEphemeralRange()}",
            ["CAUCHY_RESILIENCE__RETRY__MAXRETRIES"] = "0",
        });
        await service.StartAsync();
        using var channel = service.CreateChannel();
        var client = new V1.Datasets.DatasetsClient(channel);
        await client.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = "orphan", TaskType = TaskType.Classification });
        using var call = client.ImportDatasetVersion();
        var archive = SampleSets.ImageFolder(Shapes.Generate(3, 61)).Build(ArchiveKind.Tar);
        await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest
        {
            Header = new ImportDatasetVersionHeader { DatasetId = "orphan", Format = DatasetFormat.ImageFolder, ArchiveKind = ArchiveKind.Tar, Upload = new ArchiveUpload { SizeBytes = archive.Length } },
        });
        await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest { Chunk = ByteString.CopyFrom(archive) });
        await call.RequestStream.CompleteAsync();
        var version = (await call.ResponseAsync).Version;

        var error = await Assert.ThrowsAsync<RpcException>(() => client.DeleteDatasetVersionAsync(new DeleteDatasetVersionRequest { DatasetId = "orphan", VersionId = version.VersionId }).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("model registry", error.Status.Detail);
        Assert.Equal(version.VersionId, (await client.GetDatasetVersionAsync(new GetDatasetVersionRequest { DatasetId = "orphan", VersionId = version.VersionId })).Version.VersionId);
    }
}
