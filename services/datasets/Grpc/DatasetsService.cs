using System.Runtime.CompilerServices;
using Cauchy.Datasets.Domain;
using Cauchy.Datasets.Import;
using Cauchy.V1;
using Grpc.Core;
using static Cauchy.Datasets.Grpc.DatasetRpcErrors;

namespace Cauchy.Datasets.Grpc;

/// <summary>The cauchy.v1.Datasets gRPC service: reads the request, calls the domain, maps the answer and the errors.</summary>
public sealed class DatasetsService(DatasetManager datasets, DatasetImporter importer) : Cauchy.V1.Datasets.DatasetsBase
{
    public override Task<CreateDatasetResponse> CreateDataset(CreateDatasetRequest request, ServerCallContext context) =>
        Run(async () => new CreateDatasetResponse { Dataset = await datasets.CreateDatasetAsync(request, context.CancellationToken) });

    public override Task<GetDatasetResponse> GetDataset(GetDatasetRequest request, ServerCallContext context) =>
        Run(async () => new GetDatasetResponse { Dataset = await datasets.GetDatasetAsync(request.DatasetId, context.CancellationToken) });

    public override Task<ListDatasetsResponse> ListDatasets(ListDatasetsRequest request, ServerCallContext context) =>
        Run(() => datasets.ListDatasetsAsync(request, context.CancellationToken));

    public override Task<DeleteDatasetResponse> DeleteDataset(DeleteDatasetRequest request, ServerCallContext context) =>
        Run(async () =>
        {
            await datasets.DeleteDatasetAsync(request.DatasetId, request.Force, context.CancellationToken);
            return new DeleteDatasetResponse();
        });

    public override Task<ImportDatasetVersionResponse> ImportDatasetVersion(
        IAsyncStreamReader<ImportDatasetVersionRequest> requestStream, ServerCallContext context) =>
        Run(async () =>
        {
            var token = context.CancellationToken;
            if (!await requestStream.MoveNext(token) || requestStream.Current.PayloadCase != ImportDatasetVersionRequest.PayloadOneofCase.Header)
            {
                throw DatasetException.InvalidArgument("the first message of ImportDatasetVersion must carry header");
            }
            var header = requestStream.Current.Header;
            if (header.SourceCase == ImportDatasetVersionHeader.SourceOneofCase.SourceUri && await requestStream.MoveNext(token))
            {
                throw DatasetException.InvalidArgument("chunk messages may not follow a header whose source is source_uri");
            }
            var outcome = await importer.ImportAsync(header, Chunks(requestStream, token), token);
            return new ImportDatasetVersionResponse
            {
                Version = outcome.Version.Version,
                Report = outcome.Report,
                AlreadyExisted = outcome.AlreadyExisted,
            };
        });

    public override Task<GetDatasetVersionResponse> GetDatasetVersion(GetDatasetVersionRequest request, ServerCallContext context) =>
        Run(async () => new GetDatasetVersionResponse
        {
            Version = (await datasets.GetVersionAsync(request.DatasetId, request.VersionId, context.CancellationToken)).Version,
        });

    public override Task<ListDatasetVersionsResponse> ListDatasetVersions(ListDatasetVersionsRequest request, ServerCallContext context) =>
        Run(() => datasets.ListVersionsAsync(request, context.CancellationToken));

    public override Task<DeleteDatasetVersionResponse> DeleteDatasetVersion(DeleteDatasetVersionRequest request, ServerCallContext context) =>
        Run(async () =>
        {
            await datasets.DeleteVersionAsync(request.DatasetId, request.VersionId, context.CancellationToken);
            return new DeleteDatasetVersionResponse();
        });

    public override Task<GetDatasetStatisticsResponse> GetDatasetStatistics(GetDatasetStatisticsRequest request, ServerCallContext context) =>
        Run(async () => new GetDatasetStatisticsResponse
        {
            Statistics = (await datasets.GetVersionAsync(request.DatasetId, request.VersionId, context.CancellationToken)).Statistics,
        });

    public override Task<GetShardManifestResponse> GetShardManifest(GetShardManifestRequest request, ServerCallContext context) =>
        Run(async () => new GetShardManifestResponse
        {
            Manifest = (await datasets.GetVersionAsync(request.DatasetId, request.VersionId, context.CancellationToken)).Manifest,
        });

    // ReadShard is served by ShardStreamService, which writes the shard's encoded samples without re-serializing them.

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Chunks(
        IAsyncStreamReader<ImportDatasetVersionRequest> requestStream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await requestStream.MoveNext(cancellationToken))
        {
            if (requestStream.Current.PayloadCase != ImportDatasetVersionRequest.PayloadOneofCase.Chunk)
            {
                throw DatasetException.InvalidArgument("only chunk messages may follow the header (a second header arrived)");
            }
            yield return requestStream.Current.Chunk.Memory;
        }
    }
}
