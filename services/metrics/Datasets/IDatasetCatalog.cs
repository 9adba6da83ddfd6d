using Cauchy.V1;

namespace Cauchy.Metrics.Datasets;

/// <summary>
/// The datasets service seen from the metrics service: a version's description and the samples of one of its splits,
/// the ground truth of an evaluation against a dataset. Refusals throw a <c>DomainException</c>: NOT_FOUND naming the
/// dataset or version, FAILED_PRECONDITION when the service has no datasets address.
/// </summary>
public interface IDatasetCatalog
{
    Task<DatasetVersion> GetVersionAsync(string datasetId, string versionId, CancellationToken cancellationToken);

    /// <summary>The split's samples, shard after shard in shard order, in the batches the datasets service sends.</summary>
    IAsyncEnumerable<IReadOnlyList<Sample>> ReadSplitAsync(string datasetId, string versionId, Split split, CancellationToken cancellationToken);
}
