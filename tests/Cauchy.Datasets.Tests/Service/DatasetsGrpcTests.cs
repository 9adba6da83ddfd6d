using System.Security.Cryptography;
using Cauchy.Datasets.Tests.Support;
using Cauchy.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Cauchy.Datasets.Tests.Service;

/// <summary>The Datasets API over gRPC against the service running as its own process.</summary>
public sealed class DatasetsGrpcTests(DatasetsServiceFixture fixture) : IClassFixture<DatasetsServiceFixture>
{
    private V1.Datasets.DatasetsClient Client => fixture.Client;

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..30];

    private async Task<ImportDatasetVersionResponse> UploadAsync(ImportDatasetVersionHeader header, byte[] archive, int chunkBytes = 50_000)
    {
        header.Upload ??= new ArchiveUpload { SizeBytes = archive.Length, Sha256 = Convert.ToHexStringLower(SHA256.HashData(archive)) };
        using var call = Client.ImportDatasetVersion();
        await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest { Header = header });
        for (var offset = 0; offset < archive.Length; offset += chunkBytes)
        {
            await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest
            {
                Chunk = ByteString.CopyFrom(archive, offset, Math.Min(chunkBytes, archive.Length - offset)),
            });
        }
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }

    [Fact]
    public async Task Dataset_lifecycle_and_its_errors()
    {
        var id = NewId("life");
        var created = await Client.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = id, TaskType = TaskType.Detection, DisplayName = "Life" });
        Assert.Equal((id, TaskType.Detection, "Life"), (created.Dataset.Id, created.Dataset.TaskType, created.Dataset.DisplayName));

        var duplicate = await Assert.ThrowsAsync<RpcException>(() => Client.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = id, TaskType = TaskType.Detection }).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, duplicate.StatusCode);
        Assert.Contains(id, duplicate.Status.Detail);
        var invalid = await Assert.ThrowsAsync<RpcException>(() => Client.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = "Not Valid", TaskType = TaskType.Detection }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("dataset_id", invalid.Status.Detail);
        var trailingNewline = await Assert.ThrowsAsync<RpcException>(() => Client.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = id + "\n", TaskType = TaskType.Detection }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, trailingNewline.StatusCode);

        Assert.Equal(id, (await Client.GetDatasetAsync(new GetDatasetRequest { DatasetId = id })).Dataset.Id);
        Assert.Contains((await Client.ListDatasetsAsync(new ListDatasetsRequest { TaskType = TaskType.Detection, PageSize = 1000 })).Datasets, d => d.Id == id);
        await Client.DeleteDatasetAsync(new DeleteDatasetRequest { DatasetId = id });
        var missing = await Assert.ThrowsAsync<RpcException>(() => Client.GetDatasetAsync(new GetDatasetRequest { DatasetId = id }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Coco_upload_imports_and_streams_back_from_shards_with_resume()
    {
        var id = NewId("coco");
        var images = Shapes.Generate(14, seed: 51);
        await Client.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = id, TaskType = TaskType.Detection });
        var response = await UploadAsync(new ImportDatasetVersionHeader
        {
            DatasetId = id,
            Format = DatasetFormat.CocoJson,
            ArchiveKind = ArchiveKind.TarGzip,
            Split = new SplitSpec { KeepSourceSplits = true, TrainFraction = 1 },
            Description = "shapes",
        }, SampleSets.Coco(images, trainCount: 10).Build(ArchiveKind.TarGzip));

        var version = response.Version;
        Assert.Equal(14, version.SampleCount);
        Assert.Equal("upload", version.Source);
        Assert.Equal(version, (await Client.GetDatasetVersionAsync(new GetDatasetVersionRequest { DatasetId = id, VersionId = version.VersionId })).Version);
        Assert.Equal(version.VersionId, (await Client.ListDatasetVersionsAsync(new ListDatasetVersionsRequest { DatasetId = id })).Versions.Single().VersionId);
        var statistics = (await Client.GetDatasetStatisticsAsync(new GetDatasetStatisticsRequest { DatasetId = id, VersionId = version.VersionId })).Statistics;
        Assert.Equal(images.Sum(i => i.Objects.Count), statistics.Splits.Sum(s => s.ClassHistogram.Sum(c => c.InstanceCount)));

        var manifest = (await Client.GetShardManifestAsync(new GetShardManifestRequest { DatasetId = id, VersionId = version.VersionId })).Manifest;
        var train = manifest.Splits.Single(s => s.Split == Split.Train);
        Assert.Equal(new long[] { 4, 4, 2 }, train.Shards.Select(s => s.SampleCount));

        var all = new List<Sample>();
        foreach (var split in manifest.Splits)
        {
            foreach (var shard in split.Shards)
            {
                all.AddRange(await ReadAsync(id, version.VersionId, split.Split, shard.Index, 0));
            }
        }
        Assert.Equal(images.Select(i => i.Png()).OrderBy(Convert.ToBase64String), all.Select(s => s.Image.ToByteArray()).OrderBy(Convert.ToBase64String));

        var whole = await ReadAsync(id, version.VersionId, Split.Train, 0, 0);
        var resumed = await ReadAsync(id, version.VersionId, Split.Train, 0, 3);
        Assert.Equal(whole.Skip(3), resumed);

        var negative = await Assert.ThrowsAsync<RpcException>(() => ReadAsync(id, version.VersionId, Split.Train, 0, -1));
        Assert.Equal(StatusCode.InvalidArgument, negative.StatusCode);
        var noShard = await Assert.ThrowsAsync<RpcException>(() => ReadAsync(id, version.VersionId, Split.Train, 9, 0));
        Assert.Equal(StatusCode.NotFound, noShard.StatusCode);
    }

    [Fact]
    public async Task A_method_the_service_does_not_have_answers_UNIMPLEMENTED_beside_the_shard_stream()
    {
        var missing = new Method<ReadShardRequest, ReadShardResponse>(
            MethodType.Unary, "cauchy.v1.Datasets", "NoSuchMethod",
            Marshallers.Create(static (ReadShardRequest r) => r.ToByteArray(), ReadShardRequest.Parser.ParseFrom),
            Marshallers.Create(static (ReadShardResponse r) => r.ToByteArray(), ReadShardResponse.Parser.ParseFrom));

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Channel.CreateCallInvoker().AsyncUnaryCall(missing, null, new CallOptions(), new ReadShardRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    private async Task<List<Sample>> ReadAsync(string id, string versionId, Split split, int shard, long start)
    {
        using var call = Client.ReadShard(new ReadShardRequest { DatasetId = id, VersionId = versionId, Split = split, ShardIndex = shard, StartSample = start });
        var samples = new List<Sample>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            Assert.InRange(call.ResponseStream.Current.Samples.Count, 1, 3);
            samples.AddRange(call.ResponseStream.Current.Samples);
        }
        return samples;
    }

    [Fact]
    public async Task Zip_slip_is_invalid_argument_naming_the_entry_and_stores_nothing()
    {
        var id = NewId("slip");
        await Client.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = id, TaskType = TaskType.Classification });
        var archive = SampleSets.ImageFolder(Shapes.Generate(3, 52)).AddText("../../outside.txt", "x").Build(ArchiveKind.Zip);
        var error = await Assert.ThrowsAsync<RpcException>(() => UploadAsync(new ImportDatasetVersionHeader
        {
            DatasetId = id,
            Format = DatasetFormat.ImageFolder,
            ArchiveKind = ArchiveKind.Zip,
        }, archive));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("'../../outside.txt'", error.Status.Detail);
        Assert.False(Directory.Exists(Path.Combine(fixture.Service.ObjectsRoot, "datasets", id)));
        Assert.Equal(0, (await Client.GetDatasetAsync(new GetDatasetRequest { DatasetId = id })).Dataset.VersionCount);
    }

    [Fact]
    public async Task Rejected_import_carries_its_validation_report_in_a_trailer()
    {
        var id = NewId("corrupt");
        await Client.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = id, TaskType = TaskType.Classification });
        var archive = SampleSets.ImageFolder(Shapes.Generate(3, 53)).Add("shapes/circle/bad.png", [0x89, (byte)'P', (byte)'N', (byte)'G']).Build(ArchiveKind.Tar);
        var error = await Assert.ThrowsAsync<RpcException>(() => UploadAsync(new ImportDatasetVersionHeader
        {
            DatasetId = id,
            Format = DatasetFormat.ImageFolder,
            ArchiveKind = ArchiveKind.Tar,
        }, archive));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("shapes/circle/bad.png", error.Status.Detail);
        var report = ValidationReport.Parser.ParseFrom(error.Trailers.GetValueBytes("cauchy-validation-report-bin"));
        Assert.Equal(ValidationIssueKind.CorruptImage, report.Issues.Single().Kind);
        Assert.Equal(4, report.SamplesSeen);
    }

    [Fact]
    public async Task Imports_from_file_and_s3_uris_and_refuses_chunks_after_a_uri()
    {
        var id = NewId("uri");
        await Client.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = id, TaskType = TaskType.Classification });
        var archive = SampleSets.ImageFolder(Shapes.Generate(5, 54)).Build(ArchiveKind.TarGzip);
        var file = Path.Combine(fixture.Service.DataRoot, "incoming", $"{id}.tgz");
        await File.WriteAllBytesAsync(file, archive);
        var objectPath = Path.Combine(fixture.Service.ObjectsRoot, "uploads", $"{id}.tgz");
        Directory.CreateDirectory(Path.GetDirectoryName(objectPath)!);
        await File.WriteAllBytesAsync(objectPath, archive);

        async Task<ImportDatasetVersionResponse> FromUri(string uri)
        {
            using var call = Client.ImportDatasetVersion();
            await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest
            {
                Header = new ImportDatasetVersionHeader { DatasetId = id, Format = DatasetFormat.ImageFolder, ArchiveKind = ArchiveKind.TarGzip, SourceUri = uri },
            });
            await call.RequestStream.CompleteAsync();
            return await call.ResponseAsync;
        }

        var fromFile = await FromUri(new Uri(file).AbsoluteUri);
        var fromS3 = await FromUri($"s3://cauchy/uploads/{id}.tgz");
        Assert.Equal(5, fromFile.Version.SampleCount);
        Assert.Equal(new Uri(file).AbsoluteUri, fromFile.Version.Source);
        Assert.True(fromS3.AlreadyExisted);
        Assert.Equal(fromFile.Version.VersionId, fromS3.Version.VersionId);

        var outside = await Assert.ThrowsAsync<RpcException>(() => FromUri("file:///etc/passwd"));
        Assert.Equal(StatusCode.FailedPrecondition, outside.StatusCode);
        Assert.Contains("AllowedFileRoots", outside.Status.Detail);

        using var withChunk = Client.ImportDatasetVersion();
        await withChunk.RequestStream.WriteAsync(new ImportDatasetVersionRequest
        {
            Header = new ImportDatasetVersionHeader { DatasetId = id, Format = DatasetFormat.ImageFolder, ArchiveKind = ArchiveKind.TarGzip, SourceUri = new Uri(file).AbsoluteUri },
        });
        await withChunk.RequestStream.WriteAsync(new ImportDatasetVersionRequest { Chunk = ByteString.CopyFrom(archive) });
        await withChunk.RequestStream.CompleteAsync();
        var chunkError = await Assert.ThrowsAsync<RpcException>(() => withChunk.ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, chunkError.StatusCode);
        Assert.Contains("source_uri", chunkError.Status.Detail);
    }

    [Fact]
    public async Task Deleting_a_version_in_a_model_lineage_is_refused_naming_the_model()
    {
        var id = NewId("lineage");
        await Client.CreateDatasetAsync(new CreateDatasetRequest { DatasetId = id, TaskType = TaskType.Classification });
        var version = (await UploadAsync(new ImportDatasetVersionHeader
        {
            DatasetId = id,
            Format = DatasetFormat.ImageFolder,
            ArchiveKind = ArchiveKind.Zip,
        }, SampleSets.ImageFolder(Shapes.Generate(4, 55)).Build(ArchiveKind.Zip))).Version;
        fixture.Registry.Lineage[(id, version.VersionId)] = new ModelVersionRef { ModelName = "shapes-resnet", Version = 3 };

        var refused = await Assert.ThrowsAsync<RpcException>(() => Client.DeleteDatasetVersionAsync(new DeleteDatasetVersionRequest { DatasetId = id, VersionId = version.VersionId }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("'shapes-resnet' version 3", refused.Status.Detail);
        var notForced = await Assert.ThrowsAsync<RpcException>(() => Client.DeleteDatasetAsync(new DeleteDatasetRequest { DatasetId = id }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, notForced.StatusCode);
        Assert.Equal(version.VersionId, (await Client.GetDatasetVersionAsync(new GetDatasetVersionRequest { DatasetId = id, VersionId = version.VersionId })).Version.VersionId);

        fixture.Registry.Lineage.TryRemove((id, version.VersionId), out _);
        await Client.DeleteDatasetVersionAsync(new DeleteDatasetVersionRequest { DatasetId = id, VersionId = version.VersionId });
        var gone = await Assert.ThrowsAsync<RpcException>(() => Client.GetDatasetVersionAsync(new GetDatasetVersionRequest { DatasetId = id, VersionId = version.VersionId }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Empty(Directory.Exists(Path.Combine(fixture.Service.ObjectsRoot, "datasets", id))
            ? Directory.EnumerateFiles(Path.Combine(fixture.Service.ObjectsRoot, "datasets", id), "*", SearchOption.AllDirectories)
            : []);
    }
}
