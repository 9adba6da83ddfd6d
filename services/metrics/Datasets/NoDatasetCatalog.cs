using Cauchy.Domain;
using Cauchy.V1;

namespace Cauchy.Metrics.Datasets;

/// <summary>
/// The catalog of a metrics service without Services:Datasets:Address: evaluations against a dataset version are
/// refused (FAILED_PRECONDITION); evaluations whose caller sends the ground truth need no datasets service.
/// </summary>
public sealed class NoDatasetCatalog : IDatasetCatalog
{
    public Task<DatasetVersion> GetVersionAsync(string datasetId, string versionId, CancellationToken cancellationToken) =>
        throw NotConfigured();

    public IAsyncEnumerable<IReadOnlyList<Sample>> ReadSplitAsync(string datasetId, string versionId, Split split, CancellationToken cancellationToken) =>
        throw NotConfigured();

    private static DomainException NotConfigured() => DomainException.FailedPrecondition(
        "this metrics service has no datasets service to read ground truth from (Services:Datasets:Address is not set); "
        + "evaluate against a dataset version where it is set, or send the ground truth with the predictions");
}
