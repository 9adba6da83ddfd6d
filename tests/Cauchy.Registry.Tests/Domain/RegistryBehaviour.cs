using System.Text;
using System.Text.Json;
using Cauchy.Domain;
using Cauchy.Registry.Data;
using Cauchy.Registry.Domain;
using Cauchy.Registry.Tests.Support;
using Cauchy.ServiceDefaults.GrpcServer;
using Cauchy.Storage;
using Cauchy.Testing;
using Cauchy.V1;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace Cauchy.Registry.Tests.Domain;

/// <summary>The registry's domain, called without a server, on SQLite and on a real PostgreSQL (subclasses at the end).</summary>
public abstract class RegistryBehaviour(ITestDatabaseServer server) : IAsyncLifetime
{
    private RegistryHarness _harness = null!;

    private RegistryModels Models => _harness.Models;
    private VersionRegistration Registration => _harness.Registration;
    private VersionQueries Versions => _harness.Versions;
    private VersionStages Stages => _harness.Stages;
    private ArtifactDownloads Downloads => _harness.Downloads;

    public async Task InitializeAsync() => _harness = await RegistryHarness.CreateAsync(server, GetType());

    public Task DisposeAsync()
    {
        _harness.Dispose();
        return Task.CompletedTask;
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private async Task<Model> CreateModelAsync(string? name = null, string architecture = "simple_cnn", TaskType task = TaskType.Classification,
        Dictionary<string, string>? labels = null)
    {
        var request = new CreateModelRequest { ModelName = name ?? TestWeights.UniqueName("m"), TaskType = task, Architecture = architecture };
        foreach (var (key, value) in labels ?? [])
        {
            request.Labels[key] = value;
        }
        return await Models.CreateModelAsync(request, default);
    }

    private static CreateModelVersionHeader Header(string model, byte[] weights, params (string Name, double Value)[] metrics)
    {
        var header = new CreateModelVersionHeader { ModelName = model, Weights = TestWeights.Upload(weights), Lineage = TestWeights.Lineage() };
        header.Metrics.AddRange(metrics.Select(m => new MetricValue { Name = m.Name, Value = m.Value, Epoch = 3 }));
        header.ClassNames.AddRange(["t-shirt", "trouser"]);
        return header;
    }

    private async Task<ModelVersion> UploadAsync(string model, byte[] weights, params (string Name, double Value)[] metrics) =>
        (await Registration.CreateVersionAsync(Header(model, weights, metrics), new MemoryStream(weights), default)).Version;

    private async Task<byte[]> DownloadAsync(ModelVersion version, ArtifactKind kind, long offset = 0)
    {
        var (artifact, content) = await Downloads.OpenArtifactAsync(new DownloadArtifactRequest
        {
            ModelVersion = new ModelVersionRef { ModelName = version.ModelName, Version = version.Version },
            Kind = kind,
            Offset = offset,
        }, default);
        await using (content)
        {
            using var copy = new MemoryStream();
            await content.CopyToAsync(copy);
            Assert.Equal(kind == ArtifactKind.Weights ? version.Weights.Sha256 : version.ModelCard.Sha256, artifact.Sha256);
            return copy.ToArray();
        }
    }

    /// <summary>The domain refuses <paramref name="call"/>; checked as the status a caller receives for it.</summary>
    private static async Task<RpcException> FailsAsync(StatusCode code, Func<Task> call, params string[] mentions)
    {
        var error = DomainExceptionInterceptor.ToRpcException(await Assert.ThrowsAsync<DomainException>(call));
        Assert.True(error.StatusCode == code, $"expected {code}, got {error.StatusCode}: {error.Status.Detail}");
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, error.Status.Detail, StringComparison.Ordinal);
        }
        return error;
    }

    private static ModelVersionRef Ref(ModelVersion v) => new() { ModelName = v.ModelName, Version = v.Version };

    private Task<TransitionStageResponse> MoveAsync(ModelVersion v, ModelStage stage, bool? archiveExisting = null)
    {
        var request = new TransitionStageRequest { ModelVersion = Ref(v), TargetStage = stage };
        if (archiveExisting is { } archive)
        {
            request.ArchiveExisting = archive;
        }
        return Stages.TransitionStageAsync(request, default);
    }

    private async Task<ModelStage> StageOfAsync(ModelVersion v) => (await Versions.GetVersionAsync(Ref(v), default)).Stage;

    // ---- schema ------------------------------------------------------------------------------------------------

    [Fact]
    public Task Migrations_build_the_schema_of_the_model() =>
        SchemaDescription.AssertMigrationsMatchModelAsync<RegistryDbContext>(server, options => new RegistryDbContext(options));

    // ---- models ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_created_model_reads_back_and_a_second_create_is_already_exists()
    {
        var model = await CreateModelAsync(labels: new() { ["team"] = "vision", ["cauchy.dev/owner"] = "ada" });
        var read = await Models.GetModelAsync(model.Name, default);
        Assert.Equal(model, read);
        Assert.Equal((TaskType.Classification, "simple_cnn", 0, "vision"), (read.TaskType, read.Architecture, read.LatestVersion, read.Labels["team"]));
        await FailsAsync(StatusCode.AlreadyExists, () => CreateModelAsync(model.Name), model.Name);
        await FailsAsync(StatusCode.NotFound, () => Models.GetModelAsync("no-such-model", default), "no-such-model");
    }

    [Theory]
    [InlineData("", "simple_cnn", TaskType.Classification, "model_name")]
    [InlineData("Upper", "simple_cnn", TaskType.Classification, "model_name")]
    [InlineData("ends-", "simple_cnn", TaskType.Classification, "model_name")]
    [InlineData("ok-name", "", TaskType.Classification, "architecture")]
    [InlineData("ok-name", "bad arch", TaskType.Classification, "architecture")]
    [InlineData("ok-name", "simple_cnn", TaskType.Unspecified, "task_type")]
    public async Task Invalid_model_fields_are_invalid_argument_naming_the_field(string name, string architecture, TaskType task, string field)
    {
        await FailsAsync(StatusCode.InvalidArgument,
            () => Models.CreateModelAsync(new CreateModelRequest { ModelName = name, Architecture = architecture, TaskType = task }, default), field);
        if (name == "ok-name")
        {
            await FailsAsync(StatusCode.NotFound, () => Models.GetModelAsync(name, default));
        }
    }

    [Fact]
    public async Task An_invalid_label_key_is_invalid_argument_naming_it()
    {
        var request = new CreateModelRequest { ModelName = TestWeights.UniqueName("m"), TaskType = TaskType.Classification, Architecture = "simple_cnn" };
        request.Labels["Bad Key"] = "x";
        await FailsAsync(StatusCode.InvalidArgument, () => Models.CreateModelAsync(request, default), "labels['Bad Key']");
    }

    // ---- versions and artifacts --------------------------------------------------------------------------------

    [Fact]
    public async Task Versions_are_numbered_from_1_and_their_artifacts_round_trip_with_their_sha256()
    {
        var model = await CreateModelAsync();
        var first = TestWeights.Safetensors(1000, seed: 1);
        var second = TestWeights.Safetensors(2000, seed: 2);
        var v1 = await UploadAsync(model.Name, first, ("validation/accuracy", 0.91));
        var v2 = await UploadAsync(model.Name, second);

        Assert.Equal((1, 2), (v1.Version, v2.Version));
        Assert.Equal((ModelStage.None, TestWeights.Sha256(first), (long)first.Length), (v1.Stage, v1.Weights.Sha256, v1.Weights.SizeBytes));
        Assert.Equal(first, await DownloadAsync(v1, ArtifactKind.Weights));
        Assert.Equal(second, await DownloadAsync(v2, ArtifactKind.Weights));
        Assert.Equal(second.AsSpan(100).ToArray(), await DownloadAsync(v2, ArtifactKind.Weights, offset: 100));
        Assert.StartsWith("file://", v1.Weights.Uri, StringComparison.Ordinal);
        Assert.EndsWith("sha256/" + v1.Weights.Sha256, v1.Weights.Uri, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(v1.VersionId));
        Assert.NotEqual(v1.VersionId, v2.VersionId);

        var card = JsonDocument.Parse(await DownloadAsync(v1, ArtifactKind.ModelCard)).RootElement;
        Assert.Equal(model.Name, card.GetProperty("model_name").GetString());
        Assert.Equal("simple_cnn", card.GetProperty("architecture").GetString());
        Assert.Equal(0.91, card.GetProperty("metrics").GetProperty("validation/accuracy").GetDouble());
        Assert.Equal("application/json", v1.ModelCard.MediaType);

        var read = await Versions.GetVersionAsync(Ref(v1), default);
        Assert.Equal(v1, read);
        Assert.Equal(2, (await Models.GetModelAsync(model.Name, default)).LatestVersion);
        Assert.Equal(["t-shirt", "trouser"], read.ClassNames);
        Assert.Equal("fashion-mnist", read.Lineage.DatasetVersion.DatasetId);
    }

    [Fact]
    public async Task A_model_card_given_by_the_caller_is_stored_byte_for_byte()
    {
        var model = await CreateModelAsync();
        var weights = TestWeights.Safetensors(100, seed: 3);
        var header = Header(model.Name, weights);
        var card = Encoding.UTF8.GetBytes("{\"license\": \"MIT\", \"input\": [1, 28, 28]}");
        header.ModelCardJson = ByteString.CopyFrom(card);
        var (version, _) = await Registration.CreateVersionAsync(header, new MemoryStream(weights), default);
        Assert.Equal(card, await DownloadAsync(version, ArtifactKind.ModelCard));
    }

    [Fact]
    public async Task Weights_whose_sha256_differs_from_the_header_are_invalid_argument_and_store_nothing()
    {
        var model = await CreateModelAsync();
        var weights = TestWeights.Safetensors(5000, seed: 4);
        var header = Header(model.Name, weights);
        var tampered = (byte[])weights.Clone();
        tampered[^1] ^= 0xFF;

        await FailsAsync(StatusCode.InvalidArgument,
            () => Registration.CreateVersionAsync(header, new MemoryStream(tampered), default), "sha256", TestWeights.Sha256(tampered), header.Weights.Sha256);

        Assert.Empty(await _harness.StoredKeysAsync());
        Assert.Equal(0, (await Models.GetModelAsync(model.Name, default)).LatestVersion);
        Assert.Empty((await Versions.ListVersionsAsync(new ListModelVersionsRequest { ModelName = model.Name }, default)).ModelVersions);
    }

    [Theory]
    [InlineData(-1, "size_bytes {0}")]
    [InlineData(+1, "more than the announced {0} bytes")]
    public async Task Weights_of_another_size_than_the_header_are_invalid_argument_and_store_nothing(int delta, string mentionFormat)
    {
        var model = await CreateModelAsync();
        var weights = TestWeights.Safetensors(1250, seed: 5);
        var mention = string.Format(System.Globalization.CultureInfo.InvariantCulture, mentionFormat, weights.Length);
        var header = Header(model.Name, weights);
        var sent = delta < 0 ? weights[..^1] : [.. weights, 0];
        await FailsAsync(StatusCode.InvalidArgument, () => Registration.CreateVersionAsync(header, new MemoryStream(sent), default), "header.weights", mention);
        Assert.Empty(await _harness.StoredKeysAsync());
        Assert.Equal(0, (await Models.GetModelAsync(model.Name, default)).LatestVersion);
    }

    [Fact]
    public async Task An_upload_that_fails_midway_leaves_no_version_and_no_object()
    {
        var model = await CreateModelAsync();
        var weights = TestWeights.Safetensors(300_000, seed: 6);
        await Assert.ThrowsAsync<IOException>(() =>
            Registration.CreateVersionAsync(Header(model.Name, weights), new FailingStream(weights[..500_000]), default));
        Assert.Empty(await _harness.StoredKeysAsync());
        Assert.Equal(0, (await Models.GetModelAsync(model.Name, default)).LatestVersion);

        // The same upload, complete, then succeeds as version 1.
        Assert.Equal(1, (await UploadAsync(model.Name, weights)).Version);
    }

    public static TheoryData<string, byte[], string> NotSafetensors()
    {
        static byte[] File(string header, int dataBytes)
        {
            var json = Encoding.UTF8.GetBytes(header);
            var bytes = new byte[8 + json.Length + dataBytes];
            BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), (long)json.Length);
            json.CopyTo(bytes, 8);
            return bytes;
        }
        var random = new byte[4096];
        new Random(1).NextBytes(random);
        return new()
        {
            { "random bytes", random, "header length" },
            { "short", [1, 2, 3], "8-byte header length" },
            { "header not json", File("{\"w\": [", 16), "not JSON" },
            { "unknown dtype", File("{\"w\":{\"dtype\":\"F12\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16), "unknown dtype 'F12'" },
            { "shape and bytes disagree", File("{\"w\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[0,16]}}", 16), "needs 20" },
            { "data not covered", File("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 20), "cover 16 bytes" },
            { "overlap", File("{\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[4,12]}}", 12), "gap or overlap" },
        };
    }

    [Theory]
    [MemberData(nameof(NotSafetensors))]
    public async Task Weights_that_are_not_safetensors_are_invalid_argument_and_store_nothing(string what, byte[] weights, string mention)
    {
        var model = await CreateModelAsync();
        await FailsAsync(StatusCode.InvalidArgument,
            () => Registration.CreateVersionAsync(Header(model.Name, weights), new MemoryStream(weights), default), "header.weights", "not a safetensors file", mention);
        Assert.True((await _harness.StoredKeysAsync()).Count == 0, what);
        Assert.Equal(0, (await Models.GetModelAsync(model.Name, default)).LatestVersion);
    }

    [Theory]
    [InlineData("{not json", "header.model_card_json")]
    [InlineData("[1, 2]", "header.model_card_json")]
    public async Task A_model_card_that_is_not_a_json_object_is_invalid_argument_before_anything_is_stored(string card, string field)
    {
        var model = await CreateModelAsync();
        var weights = TestWeights.Safetensors(100, seed: 7);
        var header = Header(model.Name, weights);
        header.ModelCardJson = ByteString.CopyFromUtf8(card);
        await FailsAsync(StatusCode.InvalidArgument, () => Registration.CreateVersionAsync(header, new MemoryStream(weights), default), field);
        Assert.Empty(await _harness.StoredKeysAsync());
    }

    [Fact]
    public async Task Bad_headers_are_invalid_argument_naming_the_field()
    {
        var model = await CreateModelAsync();
        var weights = TestWeights.Safetensors(100, seed: 8);
        async Task Check(Action<CreateModelVersionHeader> edit, string field)
        {
            var header = Header(model.Name, weights);
            edit(header);
            await FailsAsync(StatusCode.InvalidArgument, () => Registration.CreateVersionAsync(header, new MemoryStream(weights), default), field);
        }
        await Check(h => h.Weights = null, "header.weights");
        await Check(h => h.Weights.Sha256 = "ABC", "header.weights.sha256");
        await Check(h => h.Weights.SizeBytes = 0, "header.weights.size_bytes");
        await Check(h => h.ModelName = "", "header.model_name");
        await Check(h => h.IdempotencyKey = new string('k', 129), "header.idempotency_key");
        await Check(h => h.Metrics.Add([new MetricValue { Name = "a", Value = 1 }, new MetricValue { Name = "a", Value = 2 }]), "header.metrics[1].name");
        await Check(h => h.Metrics.Add(new MetricValue { Name = "nan", Value = double.NaN }), "header.metrics[0].value");
        await Check(h => h.Lineage.JobId = "", "header.lineage.job_id");
        await Check(h => { h.ModelName = "fresh-" + Guid.NewGuid().ToString("N")[..8]; h.CreateModel = true; h.Lineage = null; }, "header.lineage");
        Assert.Empty(await _harness.StoredKeysAsync());
    }

    [Fact]
    public async Task A_version_of_a_missing_model_is_not_found_unless_create_model_asks_for_it()
    {
        var name = TestWeights.UniqueName("auto");
        var weights = TestWeights.Safetensors(100, seed: 9);
        await FailsAsync(StatusCode.NotFound, () => Registration.CreateVersionAsync(Header(name, weights), new MemoryStream(weights), default), name);
        Assert.Empty(await _harness.StoredKeysAsync());

        var header = Header(name, weights);
        header.CreateModel = true;
        header.Lineage = TestWeights.Lineage(architecture: "resnet18", task: TaskType.Classification);
        var (version, _) = await Registration.CreateVersionAsync(header, new MemoryStream(weights), default);
        var model = await Models.GetModelAsync(name, default);
        Assert.Equal(("resnet18", TaskType.Classification, 1), (model.Architecture, model.TaskType, version.Version));
    }

    [Fact]
    public async Task Lineage_of_another_architecture_or_task_is_failed_precondition_naming_both()
    {
        var model = await CreateModelAsync(architecture: "simple_cnn");
        var weights = TestWeights.Safetensors(100, seed: 10);
        var header = Header(model.Name, weights);
        header.Lineage = TestWeights.Lineage(architecture: "resnet50");
        await FailsAsync(StatusCode.FailedPrecondition, () => Registration.CreateVersionAsync(header, new MemoryStream(weights), default), "resnet50", "simple_cnn");
        header.Lineage = TestWeights.Lineage(task: TaskType.Detection);
        await FailsAsync(StatusCode.FailedPrecondition, () => Registration.CreateVersionAsync(header, new MemoryStream(weights), default), "Detection", "Classification");
        Assert.Empty(await _harness.StoredKeysAsync());
    }

    [Fact]
    public async Task A_base_model_version_that_does_not_exist_is_refused_before_anything_is_stored()
    {
        var model = await CreateModelAsync();
        var weights = TestWeights.Safetensors(100, seed: 11);
        var header = Header(model.Name, weights);
        header.Lineage.BaseModelVersion = new ModelVersionRef { ModelName = model.Name, Version = 7 };
        await FailsAsync(StatusCode.NotFound, () => Registration.CreateVersionAsync(header, new MemoryStream(weights), default), model.Name, "7");
        Assert.Empty(await _harness.StoredKeysAsync());
    }

    [Fact]
    public async Task An_idempotency_key_returns_the_first_version_for_the_same_weights_and_refuses_other_weights()
    {
        var model = await CreateModelAsync();
        var weights = TestWeights.Safetensors(100, seed: 12);
        var header = Header(model.Name, weights);
        header.IdempotencyKey = "job-42";
        var (first, firstExisted) = await Registration.CreateVersionAsync(header, new MemoryStream(weights), default);
        var (again, againExisted) = await Registration.CreateVersionAsync(header, new MemoryStream(weights), default);
        Assert.Equal((false, true), (firstExisted, againExisted));
        Assert.Equal(first.VersionId, again.VersionId);

        var other = TestWeights.Safetensors(100, seed: 13);
        var otherHeader = Header(model.Name, other);
        otherHeader.IdempotencyKey = "job-42";
        await FailsAsync(StatusCode.AlreadyExists, () => Registration.CreateVersionAsync(otherHeader, new MemoryStream(other), default), "job-42", "version 1");
        Assert.Equal(1, (await Models.GetModelAsync(model.Name, default)).LatestVersion);
    }

    [Fact]
    public async Task Downloads_check_kind_and_offset()
    {
        var model = await CreateModelAsync();
        var weights = TestWeights.Safetensors(100, seed: 14);
        var v = await UploadAsync(model.Name, weights);
        await FailsAsync(StatusCode.InvalidArgument, () => Downloads.OpenArtifactAsync(new DownloadArtifactRequest { ModelVersion = Ref(v) }, default), "kind");
        await FailsAsync(StatusCode.InvalidArgument, () => Downloads.OpenArtifactAsync(
            new DownloadArtifactRequest { ModelVersion = Ref(v), Kind = ArtifactKind.Weights, Offset = weights.Length + 1 }, default), "offset", weights.Length.ToString());
        await FailsAsync(StatusCode.NotFound, () => Downloads.OpenArtifactAsync(
            new DownloadArtifactRequest { ModelVersion = new ModelVersionRef { ModelName = model.Name, Version = 9 }, Kind = ArtifactKind.Weights }, default), "version 9");
        Assert.Empty(await DownloadAsync(v, ArtifactKind.Weights, offset: weights.Length));
    }

    // ---- stages ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Promoting_a_version_to_production_archives_the_previous_production_version()
    {
        var model = await CreateModelAsync();
        var v1 = await UploadAsync(model.Name, TestWeights.Safetensors(10, 20));
        var v2 = await UploadAsync(model.Name, TestWeights.Safetensors(10, 21));
        await MoveAsync(v1, ModelStage.Staging);
        await MoveAsync(v1, ModelStage.Production);
        await MoveAsync(v2, ModelStage.Staging);
        var moved = await MoveAsync(v2, ModelStage.Production);

        Assert.Equal(ModelStage.Production, moved.ModelVersion.Stage);
        Assert.Equal([1], moved.ArchivedVersions.Select(v => v.Version));
        Assert.Equal(ModelStage.Archived, await StageOfAsync(v1));
        Assert.Equal(ModelStage.Production, await StageOfAsync(v2));
    }

    [Fact]
    public async Task With_archive_existing_false_several_versions_share_production()
    {
        var model = await CreateModelAsync();
        var v1 = await UploadAsync(model.Name, TestWeights.Safetensors(10, 22));
        var v2 = await UploadAsync(model.Name, TestWeights.Safetensors(10, 23));
        await MoveAsync(v1, ModelStage.Production);
        var moved = await MoveAsync(v2, ModelStage.Production, archiveExisting: false);
        Assert.Empty(moved.ArchivedVersions);
        Assert.Equal((ModelStage.Production, ModelStage.Production), (await StageOfAsync(v1), await StageOfAsync(v2)));
    }

    [Theory]
    [InlineData(ModelStage.Production, ModelStage.Staging, "PRODUCTION", "STAGING")]
    [InlineData(ModelStage.Staging, ModelStage.None, "STAGING", "NONE")]
    [InlineData(ModelStage.Archived, ModelStage.None, "ARCHIVED", "NONE")]
    public async Task A_forbidden_move_is_failed_precondition_naming_both_stages_and_changes_nothing(ModelStage from, ModelStage to, string fromName, string toName)
    {
        var model = await CreateModelAsync();
        var v = await UploadAsync(model.Name, TestWeights.Safetensors(10, 24));
        await MoveAsync(v, from);
        await FailsAsync(StatusCode.FailedPrecondition, () => MoveAsync(v, to), $"from {fromName} to {toName}", model.Name);
        Assert.Equal(from, await StageOfAsync(v));
    }

    [Fact]
    public async Task Moving_to_the_current_stage_changes_nothing_and_an_unspecified_stage_is_invalid_argument()
    {
        var model = await CreateModelAsync();
        var v = await UploadAsync(model.Name, TestWeights.Safetensors(10, 25));
        await MoveAsync(v, ModelStage.Staging);
        var before = await Versions.GetVersionAsync(Ref(v), default);
        var same = await MoveAsync(v, ModelStage.Staging);
        Assert.Equal(before.StageUpdateTime, same.ModelVersion.StageUpdateTime);
        await FailsAsync(StatusCode.InvalidArgument, () => MoveAsync(v, ModelStage.Unspecified), "target_stage");
    }

    [Fact]
    public async Task A_version_id_of_another_model_is_failed_precondition_naming_both_models()
    {
        var a = await CreateModelAsync();
        var b = await CreateModelAsync();
        await UploadAsync(a.Name, TestWeights.Safetensors(10, 26));
        var bv = await UploadAsync(b.Name, TestWeights.Safetensors(10, 27));

        var request = new TransitionStageRequest
        {
            ModelVersion = new ModelVersionRef { ModelName = a.Name, VersionId = bv.VersionId },
            TargetStage = ModelStage.Production,
        };
        await FailsAsync(StatusCode.FailedPrecondition, () => Stages.TransitionStageAsync(request, default), bv.VersionId, a.Name, b.Name);
        Assert.Equal(ModelStage.None, await StageOfAsync(bv));

        request.ModelVersion = new ModelVersionRef { ModelName = b.Name, VersionId = bv.VersionId, Version = 5 };
        await FailsAsync(StatusCode.InvalidArgument, () => Stages.TransitionStageAsync(request, default), "model_version.version");

        request.ModelVersion = new ModelVersionRef { VersionId = bv.VersionId };
        Assert.Equal(ModelStage.Production, (await Stages.TransitionStageAsync(request, default)).ModelVersion.Stage);
    }

    [Fact]
    public async Task Concurrent_promotions_leave_exactly_one_production_version()
    {
        var model = await CreateModelAsync();
        var versions = new List<ModelVersion>();
        for (var i = 0; i < 4; i++)
        {
            versions.Add(await UploadAsync(model.Name, TestWeights.Safetensors(10, 30 + i)));
        }
        await Task.WhenAll(versions.Select(v => Task.Run(() => MoveAsync(v, ModelStage.Production))));
        var production = await Versions.ListVersionsAsync(new ListModelVersionsRequest { ModelName = model.Name, Stage = ModelStage.Production }, default);
        Assert.Single(production.ModelVersions);
        var archived = await Versions.ListVersionsAsync(new ListModelVersionsRequest { ModelName = model.Name, Stage = ModelStage.Archived }, default);
        Assert.Equal(3, archived.ModelVersions.Count);
    }

    [Fact]
    public async Task Concurrent_uploads_to_one_model_get_distinct_numbers()
    {
        // Each lost race is caused by another upload's commit, so with 4 racers none loses more than 3 times and all
        // fit in ConcurrencyRetry's 5 attempts: the outcome does not depend on timing.
        var model = await CreateModelAsync();
        var uploads = Enumerable.Range(0, 4).Select(i => TestWeights.Safetensors(10, 100 + i)).ToList();
        var versions = await Task.WhenAll(uploads.Select(w => Task.Run(() => UploadAsync(model.Name, w))));
        Assert.Equal([1, 2, 3, 4], versions.Select(v => v.Version).Order());
        Assert.Equal(4, (await Models.GetModelAsync(model.Name, default)).LatestVersion);
        foreach (var (version, weights) in versions.Zip(uploads))
        {
            Assert.Equal(TestWeights.Sha256(weights), version.Weights.Sha256);
        }
    }

    [Fact]
    public async Task Concurrent_uploads_that_create_the_same_model_share_it()
    {
        var name = TestWeights.UniqueName("race");
        var uploads = Enumerable.Range(0, 4).Select(i => TestWeights.Safetensors(10, 110 + i)).ToList();
        var versions = await Task.WhenAll(uploads.Select(weights => Task.Run(async () =>
        {
            var header = Header(name, weights);
            header.CreateModel = true;
            return (await Registration.CreateVersionAsync(header, new MemoryStream(weights), default)).Version;
        })));
        Assert.Equal([1, 2, 3, 4], versions.Select(v => v.Version).Order());
        Assert.Equal(4, (await Models.GetModelAsync(name, default)).LatestVersion);
    }

    // ---- deletion ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task Deleting_is_refused_in_production_and_numbers_are_never_reused()
    {
        var model = await CreateModelAsync();
        var v1 = await UploadAsync(model.Name, TestWeights.Safetensors(10, 40));
        var v2 = await UploadAsync(model.Name, TestWeights.Safetensors(10, 41));
        await MoveAsync(v2, ModelStage.Production);
        await FailsAsync(StatusCode.FailedPrecondition, () => Stages.DeleteVersionAsync(Ref(v2), default), "PRODUCTION", "ARCHIVED");
        Assert.True(await _harness.Store.ExistsAsync(ObjectKey.ForSha256(v2.Weights.Sha256)));

        await MoveAsync(v2, ModelStage.Archived);
        await Stages.DeleteVersionAsync(Ref(v2), default);
        await FailsAsync(StatusCode.NotFound, () => Versions.GetVersionAsync(Ref(v2), default), "version 2");
        Assert.False(await _harness.Store.ExistsAsync(ObjectKey.ForSha256(v2.Weights.Sha256)));
        Assert.True(await _harness.Store.ExistsAsync(ObjectKey.ForSha256(v1.Weights.Sha256)));

        var v3 = await UploadAsync(model.Name, TestWeights.Safetensors(10, 42));
        Assert.Equal(3, v3.Version);
    }

    [Fact]
    public async Task Weights_shared_by_two_versions_stay_until_the_last_one_is_deleted()
    {
        var a = await CreateModelAsync();
        var b = await CreateModelAsync();
        var weights = TestWeights.Safetensors(10, 43);
        var va = await UploadAsync(a.Name, weights);
        var vb = await UploadAsync(b.Name, weights);
        var key = ObjectKey.ForSha256(va.Weights.Sha256);
        await Stages.DeleteVersionAsync(Ref(va), default);
        Assert.True(await _harness.Store.ExistsAsync(key));
        Assert.Equal(weights, await DownloadAsync(vb, ArtifactKind.Weights));
        await Stages.DeleteVersionAsync(Ref(vb), default);
        Assert.False(await _harness.Store.ExistsAsync(key));
    }

    // ---- lists -------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Models_filter_by_prefix_task_label_stage_and_metric()
    {
        var prefix = TestWeights.UniqueName("f");
        var good = await CreateModelAsync($"{prefix}-good", labels: new() { ["team"] = "a" });
        var weak = await CreateModelAsync($"{prefix}-weak", labels: new() { ["team"] = "a" });
        var det = await CreateModelAsync($"{prefix}-det", architecture: "fasterrcnn", task: TaskType.Detection, labels: new() { ["team"] = "b" });
        var gv = await UploadAsync(good.Name, TestWeights.Safetensors(10, 50), ("validation/accuracy", 0.93));
        await UploadAsync(weak.Name, TestWeights.Safetensors(10, 51), ("validation/accuracy", 0.71));
        var dh = Header(det.Name, TestWeights.Safetensors(10, 52), ("validation/map", 0.5));
        dh.Lineage = TestWeights.Lineage("fasterrcnn", TaskType.Detection);
        await Registration.CreateVersionAsync(dh, new MemoryStream(TestWeights.Safetensors(10, 52)), default);
        await MoveAsync(gv, ModelStage.Production);

        async Task<string[]> Names(Action<ListModelsRequest> edit)
        {
            var request = new ListModelsRequest { NamePrefix = prefix };
            edit(request);
            return (await Models.ListModelsAsync(request, default)).Models.Select(m => m.Name).ToArray();
        }
        Assert.Equal([det.Name, good.Name, weak.Name], await Names(_ => { }));
        Assert.Equal([good.Name], await Names(r => r.MetricFilters.Add(new MetricFilter { Name = "validation/accuracy", Comparison = MetricComparison.GreaterOrEqual, Value = 0.9 })));
        Assert.Equal([good.Name, weak.Name], await Names(r => r.MetricFilters.Add(new MetricFilter { Name = "validation/accuracy", Comparison = MetricComparison.Greater, Value = 0.5 })));
        Assert.Equal([weak.Name], await Names(r => r.MetricFilters.Add(new MetricFilter { Name = "validation/accuracy", Comparison = MetricComparison.Less, Value = 0.9 })));
        Assert.Equal([good.Name], await Names(r => r.Stage = ModelStage.Production));
        Assert.Empty(await Names(r =>
        {
            r.Stage = ModelStage.None;
            r.MetricFilters.Add(new MetricFilter { Name = "validation/accuracy", Comparison = MetricComparison.GreaterOrEqual, Value = 0.9 });
        }));
        Assert.Equal([det.Name], await Names(r => r.TaskType = TaskType.Detection));
        Assert.Equal([good.Name, weak.Name], await Names(r => r.LabelSelector["team"] = "a"));
        await FailsAsync(StatusCode.InvalidArgument, () => Names(r => r.MetricFilters.Add(new MetricFilter { Name = "x" })), "metric_filters[0].comparison");
        await FailsAsync(StatusCode.InvalidArgument, () => Names(r => r.PageSize = -1), "page_size");
    }

    [Fact]
    public async Task A_name_prefix_is_matched_literally_not_as_a_sql_pattern()
    {
        var stem = TestWeights.UniqueName("lit");
        await CreateModelAsync($"{stem}-ab");
        Assert.Equal([$"{stem}-ab"], (await Models.ListModelsAsync(new ListModelsRequest { NamePrefix = $"{stem}-a" }, default)).Models.Select(m => m.Name));
        Assert.Empty((await Models.ListModelsAsync(new ListModelsRequest { NamePrefix = $"{stem}_a" }, default)).Models);
        Assert.Empty((await Models.ListModelsAsync(new ListModelsRequest { NamePrefix = $"{stem}%" }, default)).Models);
    }

    [Fact]
    public async Task Model_pages_follow_tokens_and_a_token_with_other_filters_is_invalid_argument()
    {
        var prefix = TestWeights.UniqueName("p");
        var names = Enumerable.Range(0, 5).Select(i => $"{prefix}-{i}").ToList();
        foreach (var name in names)
        {
            await CreateModelAsync(name);
        }
        var seen = new List<string>();
        var request = new ListModelsRequest { NamePrefix = prefix, PageSize = 2 };
        var pages = 0;
        do
        {
            var page = await Models.ListModelsAsync(request, default);
            seen.AddRange(page.Models.Select(m => m.Name));
            request.PageToken = page.NextPageToken;
            pages++;
        }
        while (request.PageToken.Length > 0);
        Assert.Equal(names, seen);
        Assert.Equal(3, pages);

        var first = await Models.ListModelsAsync(new ListModelsRequest { NamePrefix = prefix, PageSize = 2 }, default);
        await FailsAsync(StatusCode.InvalidArgument,
            () => Models.ListModelsAsync(new ListModelsRequest { NamePrefix = prefix + "-1", PageSize = 2, PageToken = first.NextPageToken }, default), "page_token");
        await FailsAsync(StatusCode.InvalidArgument,
            () => Models.ListModelsAsync(new ListModelsRequest { PageToken = "garbage!" }, default), "page_token");
    }

    [Fact]
    public async Task Versions_list_newest_first_in_pages_and_filter_by_stage_and_metric()
    {
        var model = await CreateModelAsync();
        for (var i = 0; i < 5; i++)
        {
            await UploadAsync(model.Name, TestWeights.Safetensors(10, 60 + i), ("validation/accuracy", 0.80 + (i * 0.03)));
        }
        var request = new ListModelVersionsRequest { ModelName = model.Name, PageSize = 2 };
        var numbers = new List<int>();
        do
        {
            var page = await Versions.ListVersionsAsync(request, default);
            numbers.AddRange(page.ModelVersions.Select(v => v.Version));
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);
        Assert.Equal([5, 4, 3, 2, 1], numbers);

        var good = new ListModelVersionsRequest { ModelName = model.Name };
        good.MetricFilters.Add(new MetricFilter { Name = "validation/accuracy", Comparison = MetricComparison.GreaterOrEqual, Value = 0.85 });
        Assert.Equal([5, 4, 3], (await Versions.ListVersionsAsync(good, default)).ModelVersions.Select(v => v.Version));
        await FailsAsync(StatusCode.NotFound, () => Versions.ListVersionsAsync(new ListModelVersionsRequest { ModelName = "no-such-model" }, default), "no-such-model");
    }

    [Fact]
    public async Task Versions_trained_on_a_dataset_are_found_by_it()
    {
        var dataset = TestWeights.UniqueName("ds");
        var model = await CreateModelAsync();
        var weights = TestWeights.Safetensors(10, 70);
        var header = Header(model.Name, weights);
        header.Lineage = TestWeights.Lineage(dataset: dataset, datasetVersion: "abc");
        await Registration.CreateVersionAsync(header, new MemoryStream(weights), default);
        await UploadAsync(model.Name, TestWeights.Safetensors(10, 71));

        var byDataset = await Versions.ListVersionsByDatasetAsync(new ListVersionsByDatasetRequest { DatasetVersion = new DatasetVersionRef { DatasetId = dataset } }, default);
        Assert.Equal([1], byDataset.ModelVersions.Select(v => v.Version));
        var other = await Versions.ListVersionsByDatasetAsync(
            new ListVersionsByDatasetRequest { DatasetVersion = new DatasetVersionRef { DatasetId = dataset, VersionId = "other" } }, default);
        Assert.Empty(other.ModelVersions);
        await FailsAsync(StatusCode.InvalidArgument, () => Versions.ListVersionsByDatasetAsync(new ListVersionsByDatasetRequest(), default), "dataset_version.dataset_id");
    }

    // ---- pretrained catalogue ----------------------------------------------------------------------------------

    private static ImportPretrainedHeader Pretrained(string model, string architecture, byte[] weights, TaskType task = TaskType.Classification) => new()
    {
        ModelName = model,
        TaskType = task,
        Architecture = architecture,
        Source = new PretrainedSource { Origin = "torchvision test weights", TrainedOn = "ImageNet-1k", License = "BSD-3-Clause" },
        Upload = TestWeights.Upload(weights),
    };

    [Fact]
    public async Task Pretrained_weights_import_once_and_list_by_architecture()
    {
        var arch = "arch" + Guid.NewGuid().ToString("N")[..8];
        var weights = TestWeights.Safetensors(100, 80);
        var (first, existed) = await Registration.ImportPretrainedAsync(Pretrained($"{arch}-b", arch + "b", weights), new MemoryStream(weights), default);
        var (again, existedAgain) = await Registration.ImportPretrainedAsync(Pretrained($"{arch}-b", arch + "b", weights), new MemoryStream(weights), default);
        Assert.Equal((false, true, first.VersionId), (existed, existedAgain, again.VersionId));
        Assert.Equal("ImageNet-1k", first.Pretrained.TrainedOn);
        var other = TestWeights.Safetensors(100, 81);
        await Registration.ImportPretrainedAsync(Pretrained($"{arch}-a", arch + "a", other), new MemoryStream(other), default);

        var all = await Versions.ListPretrainedAsync(new ListPretrainedRequest { PageSize = 1000 }, default);
        var mine = all.ModelVersions.Where(v => v.ModelName.StartsWith(arch, StringComparison.Ordinal)).Select(v => v.ModelName).ToArray();
        Assert.Equal([$"{arch}-a", $"{arch}-b"], mine);
        var onlyB = await Versions.ListPretrainedAsync(new ListPretrainedRequest { Architecture = arch + "b" }, default);
        Assert.Equal([$"{arch}-b"], onlyB.ModelVersions.Select(v => v.ModelName));
        Assert.Equal(weights, await DownloadAsync(onlyB.ModelVersions[0], ArtifactKind.Weights));

        await FailsAsync(StatusCode.FailedPrecondition,
            () => Registration.ImportPretrainedAsync(Pretrained($"{arch}-b", "resnet18", other), new MemoryStream(other), default), "resnet18", arch + "b");
    }

    [Fact]
    public async Task Pretrained_pages_follow_tokens_in_catalogue_order()
    {
        var arch = "pg" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 3; i++)
        {
            var weights = TestWeights.Safetensors(10, 90 + i);
            await Registration.ImportPretrainedAsync(Pretrained($"{arch}-{i}", arch, weights), new MemoryStream(weights), default);
        }
        var request = new ListPretrainedRequest { Architecture = arch, PageSize = 2 };
        var names = new List<string>();
        do
        {
            var page = await Versions.ListPretrainedAsync(request, default);
            names.AddRange(page.ModelVersions.Select(v => v.ModelName));
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);
        Assert.Equal([$"{arch}-0", $"{arch}-1", $"{arch}-2"], names);
    }

    [Fact]
    public async Task Pretrained_weights_copy_from_an_object_of_the_store_and_other_uris_are_refused()
    {
        var weights = TestWeights.Safetensors(100, 95);
        await _harness.Store.PutAsync("incoming/resnet.safetensors", new MemoryStream(weights));
        var uris = new ArtifactUris(_harness.Options);
        var header = Pretrained(TestWeights.UniqueName("uri"), "resnet18", weights);
        header.SourceUri = uris.For("incoming/resnet.safetensors");
        var (version, _) = await Registration.ImportPretrainedAsync(header, null, default);
        Assert.Equal(TestWeights.Sha256(weights), version.Weights.Sha256);
        Assert.Equal(weights, await DownloadAsync(version, ArtifactKind.Weights));

        header.SourceUri = "file:///etc/passwd";
        await FailsAsync(StatusCode.InvalidArgument, () => Registration.ImportPretrainedAsync(header, null, default), "header.source_uri", "/etc/passwd");
        header.SourceUri = uris.For("incoming/missing.safetensors");
        await FailsAsync(StatusCode.NotFound, () => Registration.ImportPretrainedAsync(header, null, default), "missing.safetensors");
        header.ClearWeightsSource();
        await FailsAsync(StatusCode.InvalidArgument, () => Registration.ImportPretrainedAsync(header, null, default), "header.upload");
        header.Upload = TestWeights.Upload(weights);
        header.Source = null;
        await FailsAsync(StatusCode.InvalidArgument, () => Registration.ImportPretrainedAsync(header, new MemoryStream(weights), default), "header.source.origin");
    }
}

public sealed class RegistryOnSqlite(SqliteFixture sqlite) : RegistryBehaviour(sqlite), IClassFixture<SqliteFixture>;

[Collection(PostgresFixture.CollectionName)]
public sealed class RegistryOnPostgres(PostgresFixture postgres) : RegistryBehaviour(postgres);
