using Cauchy.Registry.Tests.Support;
using Cauchy.V1;
using Google.Protobuf;
using Grpc.Core;
using Xunit;

namespace Cauchy.Registry.Tests.Grpc;

/// <summary>The real service process over gRPC: round trips and bad streams, in both configurations (subclasses below).</summary>
public abstract class ModelsServiceBehaviour
{
    protected abstract RegistryProcess Service { get; }

    /// <summary>Whether no artifact is stored under the sha256 folder (checked in the store the service uses).</summary>
    protected abstract Task<bool> StoreHoldsAsync(string sha256);

    private Models.ModelsClient Client => Service.Client;

    private async Task<Model> CreateModelAsync() =>
        (await Client.CreateModelAsync(new CreateModelRequest
        {
            ModelName = TestWeights.UniqueName("g"),
            TaskType = TaskType.Classification,
            Architecture = "simple_cnn",
        })).Model;

    private static CreateModelVersionHeader Header(string model, byte[] weights) =>
        new() { ModelName = model, Weights = TestWeights.Upload(weights), Lineage = TestWeights.Lineage() };

    private async Task<RpcException> FailsAsync(StatusCode code, Func<Task> call, params string[] mentions)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(error.StatusCode == code, $"expected {code}, got {error.StatusCode}: {error.Status.Detail}\n{Service.RecentLog}");
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, error.Status.Detail, StringComparison.Ordinal);
        }
        return error;
    }

    [Fact]
    public async Task Free_text_over_its_limit_is_invalid_argument_naming_the_field_and_the_limit()
    {
        CreateModelRequest Request() => new() { ModelName = TestWeights.UniqueName("t"), TaskType = TaskType.Classification, Architecture = "simple_cnn" };
        var longDescription = Request();
        longDescription.Description = new string('d', Cauchy.Domain.TextLimits.Description + 1);
        var manyLabels = Request();
        manyLabels.Labels.Add(Enumerable.Range(0, Cauchy.Domain.TextLimits.LabelCount + 1).ToDictionary(i => $"key{i}", i => "v"));

        await FailsAsync(StatusCode.InvalidArgument, () => Client.CreateModelAsync(longDescription).ResponseAsync,
            $"description: has {Cauchy.Domain.TextLimits.Description + 1} characters; at most {Cauchy.Domain.TextLimits.Description} are accepted.");
        await FailsAsync(StatusCode.InvalidArgument, () => Client.CreateModelAsync(manyLabels).ResponseAsync,
            $"labels: has {Cauchy.Domain.TextLimits.LabelCount + 1} labels; at most {Cauchy.Domain.TextLimits.LabelCount}");
    }

    [Fact]
    public async Task A_page_of_models_stops_at_the_byte_budget_and_its_token_continues_without_loss_or_duplicates()
    {
        var prefix = TestWeights.UniqueName("p")[..12];
        var created = new List<string>();
        for (var i = 0; i < (Cauchy.Domain.PageBudget.MaxBytes / Cauchy.Domain.TextLimits.Description) + 10; i++)
        {
            created.Add((await Client.CreateModelAsync(new CreateModelRequest
            {
                ModelName = $"{prefix}-{i:D3}",
                TaskType = TaskType.Classification,
                Architecture = "simple_cnn",
                Description = new string('d', Cauchy.Domain.TextLimits.Description),
            })).Model.Name);
        }

        var listed = new List<string>();
        var pages = 0;
        var token = "";
        do
        {
            var page = await Client.ListModelsAsync(new ListModelsRequest { NamePrefix = prefix, PageSize = 1000, PageToken = token });
            Assert.True(page.CalculateSize() <= Cauchy.Domain.PageBudget.MaxBytes + 1024, $"a page of {page.CalculateSize()} bytes");
            listed.AddRange(page.Models.Select(m => m.Name));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);

        Assert.True(pages >= 2, $"{pages} page(s)");
        Assert.Equal(created, listed);
    }

    [Fact]
    public async Task A_version_uploaded_in_chunks_downloads_with_the_same_bytes_and_sha256()
    {
        var model = await CreateModelAsync();
        var weights = TestWeights.Safetensors(700_000, seed: 1);   // 2.7 MiB: three chunks
        var response = await Client.UploadAsync(Header(model.Name, weights), RegistryClientExtensions.Chunks(weights));
        var version = response.ModelVersion;
        Assert.Equal((1, false), (version.Version, response.AlreadyExisted));

        var reference = new ModelVersionRef { ModelName = model.Name, Version = 1 };
        var (artifact, bytes, sha256, content) = await Client.DownloadAsync(reference, ArtifactKind.Weights);
        Assert.Equal(TestWeights.Sha256(weights), artifact.Sha256);
        Assert.Equal((weights.Length, artifact.Sha256), (bytes, sha256));
        Assert.Equal(weights, content);
        Assert.True(await StoreHoldsAsync(artifact.Sha256));

        var tail = await Client.DownloadAsync(reference, ArtifactKind.Weights, offset: weights.Length - 10);
        Assert.Equal(weights[^10..], tail.Content);

        var promoted = await Client.TransitionStageAsync(new TransitionStageRequest { ModelVersion = reference, TargetStage = ModelStage.Production });
        Assert.Equal(ModelStage.Production, promoted.ModelVersion.Stage);
        var listed = await Client.ListModelsAsync(new ListModelsRequest { NamePrefix = model.Name, Stage = ModelStage.Production });
        Assert.Equal([model.Name], listed.Models.Select(m => m.Name));
    }

    [Fact]
    public async Task A_sha256_mismatch_is_invalid_argument_and_leaves_no_version_and_no_object()
    {
        var model = await CreateModelAsync();
        var weights = TestWeights.Safetensors(400_000, seed: 2);
        var header = Header(model.Name, weights);
        var sent = (byte[])weights.Clone();
        sent[12345] ^= 1;
        await FailsAsync(StatusCode.InvalidArgument, () => Client.UploadAsync(header, RegistryClientExtensions.Chunks(sent)), "sha256", header.Weights.Sha256);
        Assert.False(await StoreHoldsAsync(TestWeights.Sha256(sent)));
        Assert.Empty((await Client.ListModelVersionsAsync(new ListModelVersionsRequest { ModelName = model.Name })).ModelVersions);
    }

    [Fact]
    public async Task A_stream_without_a_header_first_is_invalid_argument()
    {
        var model = await CreateModelAsync();
        using (var call = Client.CreateModelVersion())
        {
            await call.RequestStream.WriteAsync(new CreateModelVersionRequest { Chunk = ByteString.CopyFromUtf8("abc") });
            await call.RequestStream.CompleteAsync();
            await FailsAsync(StatusCode.InvalidArgument, () => call.ResponseAsync, "header");
        }
        using (var empty = Client.CreateModelVersion())
        {
            await empty.RequestStream.CompleteAsync();
            await FailsAsync(StatusCode.InvalidArgument, () => empty.ResponseAsync, "header");
        }
        var weights = TestWeights.Safetensors(10, seed: 3);
        using (var twice = Client.CreateModelVersion())
        {
            await twice.RequestStream.WriteAsync(new CreateModelVersionRequest { Header = Header(model.Name, weights) });
            await twice.RequestStream.WriteAsync(new CreateModelVersionRequest { Header = Header(model.Name, weights) });
            await twice.RequestStream.CompleteAsync();
            await FailsAsync(StatusCode.InvalidArgument, () => twice.ResponseAsync, "chunk");
        }
        Assert.Equal(0, (await Client.GetModelAsync(new GetModelRequest { ModelName = model.Name })).Model.LatestVersion);
    }

    [Fact]
    public async Task An_upload_cancelled_midway_leaves_no_version_and_takes_no_number()
    {
        var model = await CreateModelAsync();
        var weights = TestWeights.Safetensors(1_000_000, seed: 4);
        using var cancel = new CancellationTokenSource();
        var header = Header(model.Name, weights);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Client.UploadAsync(header, CancelAfter(RegistryClientExtensions.Chunks(weights), 2, cancel), cancel.Token));
        Assert.True(error is RpcException { StatusCode: StatusCode.Cancelled } or OperationCanceledException, error.ToString());

        var other = TestWeights.Safetensors(1000, seed: 5);
        var next = await Client.UploadAsync(Header(model.Name, other), RegistryClientExtensions.Chunks(other));
        Assert.Equal(1, next.ModelVersion.Version);
        Assert.False(await StoreHoldsAsync(TestWeights.Sha256(weights)));
    }

    private static IEnumerable<ReadOnlyMemory<byte>> CancelAfter(IEnumerable<ReadOnlyMemory<byte>> chunks, int count, CancellationTokenSource cancel)
    {
        var sent = 0;
        foreach (var chunk in chunks)
        {
            if (sent++ == count)
            {
                cancel.Cancel();
            }
            yield return chunk;
        }
    }

    [Fact]
    public async Task Unknown_models_and_versions_are_not_found_naming_them()
    {
        await FailsAsync(StatusCode.NotFound, () => Client.GetModelAsync(new GetModelRequest { ModelName = "no-such-model" }).ResponseAsync, "no-such-model");
        var model = await CreateModelAsync();
        await FailsAsync(StatusCode.NotFound, () => Client.GetModelVersionAsync(new GetModelVersionRequest
        {
            ModelVersion = new ModelVersionRef { ModelName = model.Name, Version = 3 },
        }).ResponseAsync, model.Name, "version 3");
        await FailsAsync(StatusCode.NotFound,
            () => Client.DownloadAsync(new ModelVersionRef { ModelName = model.Name, Version = 1 }, ArtifactKind.Weights), model.Name);
        var weights = TestWeights.Safetensors(10, seed: 6);
        await FailsAsync(StatusCode.NotFound,
            () => Client.UploadAsync(Header("missing-" + model.Name[2..], weights), RegistryClientExtensions.Chunks(weights)), "missing-");
    }

    [Fact]
    public async Task Pretrained_import_by_upload_lists_under_its_architecture_and_a_chunk_after_a_source_uri_is_refused()
    {
        var architecture = "arch" + Guid.NewGuid().ToString("N")[..8];
        var weights = TestWeights.Safetensors(50_000, seed: 7);
        var header = new ImportPretrainedHeader
        {
            ModelName = TestWeights.UniqueName("pre"),
            TaskType = TaskType.Classification,
            Architecture = architecture,
            Source = new PretrainedSource { Origin = "test", TrainedOn = "ImageNet-1k", License = "BSD-3-Clause" },
            Upload = TestWeights.Upload(weights),
        };
        using (var call = Client.ImportPretrained())
        {
            await call.RequestStream.WriteAsync(new ImportPretrainedRequest { Header = header });
            foreach (var chunk in RegistryClientExtensions.Chunks(weights))
            {
                await call.RequestStream.WriteAsync(new ImportPretrainedRequest { Chunk = UnsafeByteOperations.UnsafeWrap(chunk) });
            }
            await call.RequestStream.CompleteAsync();
            Assert.False((await call).AlreadyExisted);
        }
        var listed = await Client.ListPretrainedAsync(new ListPretrainedRequest { Architecture = architecture });
        Assert.Equal([header.ModelName], listed.ModelVersions.Select(v => v.ModelName));
        Assert.Equal("ImageNet-1k", listed.ModelVersions[0].Pretrained.TrainedOn);

        header.SourceUri = listed.ModelVersions[0].Weights.Uri;
        using var bad = Client.ImportPretrained();
        await bad.RequestStream.WriteAsync(new ImportPretrainedRequest { Header = header });
        await bad.RequestStream.WriteAsync(new ImportPretrainedRequest { Chunk = ByteString.CopyFromUtf8("x") });
        await bad.RequestStream.CompleteAsync();
        await FailsAsync(StatusCode.InvalidArgument, () => bad.ResponseAsync, "source_uri");
    }
}

/// <summary>Embedded configuration: SQLite and the local object store.</summary>
public sealed class ModelsServiceOnLocalStore(LocalRegistryFixture fixture) : ModelsServiceBehaviour, IClassFixture<LocalRegistryFixture>
{
    protected override RegistryProcess Service => fixture.Service;

    protected override Task<bool> StoreHoldsAsync(string sha256) =>
        Task.FromResult(File.Exists(Path.Combine(fixture.Service.DataRoot, "objects", "sha256", sha256)));
}

/// <summary>Cluster configuration: PostgreSQL and S3 (s3rver).</summary>
public sealed class ModelsServiceOnPostgresAndS3(ClusterRegistryFixture fixture) : ModelsServiceBehaviour, IClassFixture<ClusterRegistryFixture>
{
    protected override RegistryProcess Service => fixture.Service;

    protected override async Task<bool> StoreHoldsAsync(string sha256)
    {
        var store = Cauchy.Storage.S3ObjectStore.Create(fixture.S3.Options(fixture.Bucket));
        try
        {
            return await store.ExistsAsync("sha256/" + sha256);
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }
}
