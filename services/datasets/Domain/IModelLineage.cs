namespace Cauchy.Datasets.Domain;

/// <summary>Which registered models were trained on a dataset version (asked before a version is deleted).</summary>
public interface IModelLineage
{
    /// <summary>
    /// Throws FAILED_PRECONDITION naming a model version whose lineage refers to the dataset version, or
    /// UNAVAILABLE when that cannot be known: a version is never deleted on a guess.
    /// </summary>
    Task EnsureNotReferencedAsync(string datasetId, string versionId, CancellationToken cancellationToken);
}
