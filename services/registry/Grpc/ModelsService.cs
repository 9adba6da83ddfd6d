using Cauchy.Registry.Domain;
using Cauchy.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Cauchy.Registry.Grpc;

/// <summary>The cauchy.v1.Models gRPC service: reads the call, asks the use case in Domain/, writes the answer.</summary>
public sealed class ModelsService(
    RegistryModels models,
    VersionRegistration registration,
    VersionQueries versions,
    VersionStages stages,
    ArtifactDownloads downloads) : Models.ModelsBase
{
    /// <summary>Bytes per DownloadArtifact chunk message (the proto recommends at most 1 MiB).</summary>
    public const int DownloadChunkBytes = 1024 * 1024;

    public override async Task<CreateModelResponse> CreateModel(CreateModelRequest request, ServerCallContext context) =>
        new() { Model = await models.CreateModelAsync(request, context.CancellationToken) };

    public override async Task<GetModelResponse> GetModel(GetModelRequest request, ServerCallContext context) =>
        new() { Model = await models.GetModelAsync(request.ModelName, context.CancellationToken) };

    public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context) =>
        models.ListModelsAsync(request, context.CancellationToken);

    public override async Task<CreateModelVersionResponse> CreateModelVersion(IAsyncStreamReader<CreateModelVersionRequest> requestStream, ServerCallContext context)
    {
        var header = await ReadHeaderAsync(requestStream, r => r.PayloadCase == CreateModelVersionRequest.PayloadOneofCase.Header ? r.Header : null,
            "CreateModelVersionRequest", context.CancellationToken);
        await using var chunks = new ChunkStream<CreateModelVersionRequest>(requestStream,
            r => r.PayloadCase == CreateModelVersionRequest.PayloadOneofCase.Chunk ? r.Chunk : null, "CreateModelVersionRequest", context.CancellationToken);
        var (version, existed) = await registration.CreateVersionAsync(header, chunks, context.CancellationToken);
        return new() { ModelVersion = version, AlreadyExisted = existed };
    }

    public override async Task DownloadArtifact(DownloadArtifactRequest request, IServerStreamWriter<DownloadArtifactResponse> responseStream, ServerCallContext context)
    {
        var (artifact, content) = await downloads.OpenArtifactAsync(request, context.CancellationToken);
        await using (content)
        {
            await responseStream.WriteAsync(new DownloadArtifactResponse { Artifact = artifact }, context.CancellationToken);
            var buffer = new byte[DownloadChunkBytes];
            while (true)
            {
                var filled = 0;
                int n;
                while (filled < buffer.Length && (n = await content.ReadAsync(buffer.AsMemory(filled), context.CancellationToken)) > 0)
                {
                    filled += n;
                }
                if (filled == 0)
                {
                    break;
                }
                await responseStream.WriteAsync(new DownloadArtifactResponse { Chunk = ByteString.CopyFrom(buffer, 0, filled) }, context.CancellationToken);
                if (filled < buffer.Length)
                {
                    break;
                }
            }
        }
    }

    public override async Task<GetModelVersionResponse> GetModelVersion(GetModelVersionRequest request, ServerCallContext context) =>
        new() { ModelVersion = await versions.GetVersionAsync(request.ModelVersion, context.CancellationToken) };

    public override Task<ListModelVersionsResponse> ListModelVersions(ListModelVersionsRequest request, ServerCallContext context) =>
        versions.ListVersionsAsync(request, context.CancellationToken);

    public override Task<TransitionStageResponse> TransitionStage(TransitionStageRequest request, ServerCallContext context) =>
        stages.TransitionStageAsync(request, context.CancellationToken);

    public override async Task<DeleteModelVersionResponse> DeleteModelVersion(DeleteModelVersionRequest request, ServerCallContext context)
    {
        await stages.DeleteVersionAsync(request.ModelVersion, context.CancellationToken);
        return new();
    }

    public override async Task<ImportPretrainedResponse> ImportPretrained(IAsyncStreamReader<ImportPretrainedRequest> requestStream, ServerCallContext context)
    {
        var header = await ReadHeaderAsync(requestStream, r => r.PayloadCase == ImportPretrainedRequest.PayloadOneofCase.Header ? r.Header : null,
            "ImportPretrainedRequest", context.CancellationToken);
        if (header.WeightsSourceCase == ImportPretrainedHeader.WeightsSourceOneofCase.SourceUri)
        {
            if (await requestStream.MoveNext(context.CancellationToken))
            {
                throw RegistryErrors.InvalidArgument("chunk", "no message may follow a header whose weights come from source_uri.");
            }
            var (copied, existedBefore) = await registration.ImportPretrainedAsync(header, null, context.CancellationToken);
            return new() { ModelVersion = copied, AlreadyExisted = existedBefore };
        }
        await using var chunks = new ChunkStream<ImportPretrainedRequest>(requestStream,
            r => r.PayloadCase == ImportPretrainedRequest.PayloadOneofCase.Chunk ? r.Chunk : null, "ImportPretrainedRequest", context.CancellationToken);
        var (version, existed) = await registration.ImportPretrainedAsync(header, chunks, context.CancellationToken);
        return new() { ModelVersion = version, AlreadyExisted = existed };
    }

    public override Task<ListPretrainedResponse> ListPretrained(ListPretrainedRequest request, ServerCallContext context) =>
        versions.ListPretrainedAsync(request, context.CancellationToken);

    public override Task<ListVersionsByDatasetResponse> ListVersionsByDataset(ListVersionsByDatasetRequest request, ServerCallContext context) =>
        versions.ListVersionsByDatasetAsync(request, context.CancellationToken);

    private static async Task<THeader> ReadHeaderAsync<TRequest, THeader>(IAsyncStreamReader<TRequest> requests, Func<TRequest, THeader?> headerOf, string what, CancellationToken ct)
        where THeader : class
    {
        if (!await requests.MoveNext(ct))
        {
            throw RegistryErrors.InvalidArgument("header", $"the stream ended before its first {what}, which must carry the header.");
        }
        return headerOf(requests.Current) ?? throw RegistryErrors.InvalidArgument("header", $"the first {what} must be a header, not a chunk.");
    }
}
