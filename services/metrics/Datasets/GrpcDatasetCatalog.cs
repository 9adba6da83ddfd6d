using System.Runtime.CompilerServices;
using Cauchy.Domain;
using Cauchy.V1;
using Grpc.Core;

namespace Cauchy.Metrics.Datasets;

/// <summary>
/// Reads ground truth through the datasets service (Services:Datasets:Address): GetDatasetVersion, then the split's
/// shards from GetShardManifest, each streamed by ReadShard, so that one response's samples are held at a time.
/// NOT_FOUND from it becomes a NOT_FOUND naming the dataset or version; other failures (UNAVAILABLE, DATA_LOSS)
/// keep their own status.
/// </summary>
public sealed class GrpcDatasetCatalog(V1.Datasets.DatasetsClient client) : IDatasetCatalog
{
    public async Task<DatasetVersion> GetVersionAsync(string datasetId, string versionId, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.GetDatasetVersionAsync(
                new GetDatasetVersionRequest { DatasetId = datasetId, VersionId = versionId },
                cancellationToken: cancellationToken)).Version;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            throw await NotFoundAsync(datasetId, versionId, cancellationToken);
        }
    }

    public async IAsyncEnumerable<IReadOnlyList<Sample>> ReadSplitAsync(
        string datasetId, string versionId, Split split, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ShardManifest manifest;
        try
        {
            manifest = (await client.GetShardManifestAsync(
                new GetShardManifestRequest { DatasetId = datasetId, VersionId = versionId },
                cancellationToken: cancellationToken)).Manifest;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            throw await NotFoundAsync(datasetId, versionId, cancellationToken);
        }

        foreach (var shard in manifest.Splits.Where(s => s.Split == split).SelectMany(s => s.Shards))
        {
            using var call = client.ReadShard(
                new ReadShardRequest { DatasetId = datasetId, VersionId = versionId, Split = split, ShardIndex = shard.Index },
                cancellationToken: cancellationToken);
            await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                yield return response.Samples;
            }
        }
    }

    private async Task<DomainException> NotFoundAsync(string datasetId, string versionId, CancellationToken cancellationToken)
    {
        try
        {
            await client.GetDatasetAsync(new GetDatasetRequest { DatasetId = datasetId }, cancellationToken: cancellationToken);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return DomainException.NotFound($"dataset '{datasetId}' does not exist");
        }

        return DomainException.NotFound($"version '{versionId}' of dataset '{datasetId}' does not exist");
    }
}
