using System.Runtime.CompilerServices;
using Cauchy.Datasets.Domain;
using Cauchy.Datasets.Import;
using Cauchy.Domain;
using Cauchy.V1;
using Grpc.Core;

namespace Cauchy.Datasets.Grpc;

/// <summary>
/// The cauchy.v1.Datasets gRPC service: reads the request, calls the domain, maps the answer. The domain's refusals
/// (<see cref="DomainException"/>) become statuses in Cauchy.ServiceDefaults' interceptor.
/// </summary>
public sealed class DatasetsService(DatasetManager datasets, DatasetImporter importer) : Cauchy.V1.Datasets.DatasetsBase
{
    public override async Task<CreateDatasetResponse> CreateDataset(CreateDatasetRequest request, ServerCallContext context) =>
        new CreateDatasetResponse { Dataset = await datasets.CreateDatasetAsync(request, context.CancellationToken) };

    public override async Task<GetDatasetResponse> GetDataset(GetDatasetRequest request, ServerCallContext context) =>
        new GetDatasetResponse { Dataset = await datasets.GetDatasetAsync(request.DatasetId, context.CancellationToken) };

    public override Task<ListDatasetsResponse> ListDatasets(ListDatasetsRequest request, ServerCallContext context) =>
        datasets.ListDatasetsAsync(request, context.CancellationToken);

    public override async Task<DeleteDatasetResponse> DeleteDataset(DeleteDatasetRequest request, ServerCallContext context)
    {
        await datasets.DeleteDatasetAsync(request.DatasetId, request.Force, context.CancellationToken);
        return new DeleteDatasetResponse();
    }

    public override async Task<ImportDatasetVersionResponse> ImportDatasetVersion(
        IAsyncStreamReader<ImportDatasetVersionRequest> requestStream, ServerCallContext context)
    {
        var token = context.CancellationToken;
        if (!await requestStream.MoveNext(token) || requestStream.Current.PayloadCase != ImportDatasetVersionRequest.PayloadOneofCase.Header)
        {
            throw DomainException.InvalidArgument("the first message of ImportDatasetVersion must carry header");
        }
        var header = requestStream.Current.Header;
        if (header.SourceCase == ImportDatasetVersionHeader.SourceOneofCase.SourceUri && await requestStream.MoveNext(token))
        {
            throw DomainException.InvalidArgument("chunk messages may not follow a header whose source is source_uri");
        }
        var outcome = await importer.ImportAsync(header, Chunks(requestStream, token), token);
        return new ImportDatasetVersionResponse
        {
            Version = outcome.Version.Version,
            Report = outcome.Report,
            AlreadyExisted = outcome.AlreadyExisted,
        };
    }

    public override async Task<GetDatasetVersionResponse> GetDatasetVersion(GetDatasetVersionRequest request, ServerCallContext context) =>
        new GetDatasetVersionResponse
        {
            Version = (await datasets.GetVersionAsync(request.DatasetId, request.VersionId, context.CancellationToken)).Version,
        };

    public override Task<ListDatasetVersionsResponse> ListDatasetVersions(ListDatasetVersionsRequest request, ServerCallContext context) =>
        datasets.ListVersionsAsync(request, context.CancellationToken);

    public override async Task<DeleteDatasetVersionResponse> DeleteDatasetVersion(DeleteDatasetVersionRequest request, ServerCallContext context)
    {
        await datasets.DeleteVersionAsync(request.DatasetId, request.VersionId, context.CancellationToken);
        return new DeleteDatasetVersionResponse();
    }

    public override async Task<GetDatasetStatisticsResponse> GetDatasetStatistics(GetDatasetStatisticsRequest request, ServerCallContext context) =>
        new GetDatasetStatisticsResponse
        {
            Statistics = (await datasets.GetVersionAsync(request.DatasetId, request.VersionId, context.CancellationToken)).Statistics,
        };

    public override async Task<GetShardManifestResponse> GetShardManifest(GetShardManifestRequest request, ServerCallContext context) =>
        new GetShardManifestResponse
        {
            Manifest = (await datasets.GetVersionAsync(request.DatasetId, request.VersionId, context.CancellationToken)).Manifest,
        };

    // ReadShard is served by ShardStreamService, which writes the shard's encoded samples without re-serializing them.

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Chunks(
        IAsyncStreamReader<ImportDatasetVersionRequest> requestStream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await requestStream.MoveNext(cancellationToken))
        {
            if (requestStream.Current.PayloadCase != ImportDatasetVersionRequest.PayloadOneofCase.Chunk)
            {
                throw DomainException.InvalidArgument("only chunk messages may follow the header (a second header arrived)");
            }
            yield return requestStream.Current.Chunk.Memory;
        }
    }
}
