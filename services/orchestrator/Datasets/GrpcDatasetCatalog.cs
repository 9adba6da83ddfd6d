using Cauchy.V1;
using Grpc.Core;

namespace Cauchy.Orchestrator.Datasets;

/// <summary>
/// Resolves dataset versions through the datasets service (Services:Datasets:Address). NOT_FOUND from it means the
/// dataset or version does not exist; any other failure (UNAVAILABLE, deadline) propagates with its own status.
/// </summary>
public sealed class GrpcDatasetCatalog(V1.Datasets.DatasetsClient client) : IDatasetCatalog
{
    public async Task<DatasetResolution> ResolveAsync(DatasetVersionRef reference, CancellationToken cancellationToken)
    {
        var versionId = reference.VersionId;
        try
        {
            if (versionId.Length == 0)
            {
                var dataset = (await client.GetDatasetAsync(new GetDatasetRequest { DatasetId = reference.DatasetId }, cancellationToken: cancellationToken)).Dataset;
                if (dataset.LatestVersionId.Length == 0)
                {
                    return DatasetResolution.NotFound($"dataset '{reference.DatasetId}' has no version yet; import one first");
                }

                versionId = dataset.LatestVersionId;
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return DatasetResolution.NotFound($"dataset '{reference.DatasetId}' does not exist");
        }

        try
        {
            var version = (await client.GetDatasetVersionAsync(
                new GetDatasetVersionRequest { DatasetId = reference.DatasetId, VersionId = versionId },
                cancellationToken: cancellationToken)).Version;
            var train = version.SplitCounts.Where(c => c.Split == Split.Train).Sum(c => c.SampleCount);
            return DatasetResolution.Found(reference.DatasetId, version.VersionId, version.TaskType, train);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return DatasetResolution.NotFound($"version '{versionId}' of dataset '{reference.DatasetId}' does not exist");
        }
    }
}
