using Cauchy.V1;
using Grpc.Core;

namespace Cauchy.Orchestrator.Datasets;

/// <summary>
/// Resolves dataset versions through the datasets service (Services:Datasets:Address). NOT_FOUND from it means the
/// dataset or version does not exist; any other failure (UNAVAILABLE, deadline) propagates with its own status. The
/// version's class names and its stored statistics (GetDatasetStatistics) give what a job's model is checked against.
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
            var trainImages = await TrainImagesAsync(reference.DatasetId, version.VersionId, cancellationToken);
            return DatasetResolution.Found(reference.DatasetId, version.VersionId, version.TaskType, train, version.ClassNames.Count, trainImages);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return DatasetResolution.NotFound($"version '{versionId}' of dataset '{reference.DatasetId}' does not exist");
        }
    }

    /// <summary>The train split's image sizes; null when the datasets service has no statistics for the version.</summary>
    private async Task<ImageSizeStatistics?> TrainImagesAsync(string datasetId, string versionId, CancellationToken cancellationToken)
    {
        try
        {
            var statistics = (await client.GetDatasetStatisticsAsync(
                new GetDatasetStatisticsRequest { DatasetId = datasetId, VersionId = versionId },
                cancellationToken: cancellationToken)).Statistics;
            return statistics?.Splits.FirstOrDefault(s => s.Split == Split.Train)?.ImageSizes;
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound or StatusCode.Unimplemented)
        {
            return null;
        }
    }
}
