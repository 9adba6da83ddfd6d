using Cauchy.Domain;
using Cauchy.V1;

namespace Cauchy.Datasets.Data;

/// <summary>
/// Dataset metadata: datasets, committed versions, and the object prefixes of imports in flight and of versions
/// being deleted (so that a crash leaves nothing behind that a restart cannot find). Implemented over EF Core by
/// <see cref="EfDatasetStore"/>; errors are <see cref="DomainException"/>s naming the id at fault.
/// </summary>
public interface IDatasetStore
{
    /// <summary>Stores a new dataset; ALREADY_EXISTS when the id is taken.</summary>
    Task<Dataset> CreateDatasetAsync(Dataset dataset, CancellationToken cancellationToken);

    /// <summary>The dataset with its version count and newest version, or null.</summary>
    Task<Dataset?> FindDatasetAsync(string datasetId, CancellationToken cancellationToken);

    /// <summary>Datasets with ids after <paramref name="afterId"/> in id order, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<Dataset>> ListDatasetsAsync(string? afterId, int limit, TaskType taskType, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the dataset and marks its versions for deletion (they become invisible at once) and returns their
    /// object prefixes, which the caller deletes and then releases with <see cref="ForgetPrefixAsync"/>.
    /// NOT_FOUND; FAILED_PRECONDITION when it has versions and <paramref name="force"/> is false.
    /// </summary>
    Task<IReadOnlyList<string>> DeleteDatasetAsync(string datasetId, bool force, CancellationToken cancellationToken);

    Task<StoredVersion?> FindVersionAsync(string datasetId, string versionId, CancellationToken cancellationToken);

    /// <summary>Committed versions, newest first, skipping <paramref name="offset"/>.</summary>
    Task<IReadOnlyList<StoredVersion>> ListVersionsAsync(string datasetId, int offset, int limit, CancellationToken cancellationToken);

    /// <summary>Records an import that is about to write objects under <paramref name="objectPrefix"/>.</summary>
    Task BeginImportAsync(string datasetId, string importId, string objectPrefix, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the import's version visible, or, when the dataset already has a version with the same id, returns
    /// that one with AlreadyExisted (the caller then deletes the import's objects). NOT_FOUND when the dataset was
    /// deleted meanwhile.
    /// </summary>
    Task<(StoredVersion Version, bool AlreadyExisted)> CommitImportAsync(string importId, StoredVersion version, CancellationToken cancellationToken);

    /// <summary>Marks the version for deletion (invisible at once) and returns its object prefix; NOT_FOUND.</summary>
    Task<string> DeleteVersionAsync(string datasetId, string versionId, CancellationToken cancellationToken);

    /// <summary>Forgets an object prefix (of a failed import or a deleted version) once its objects are gone.</summary>
    Task ForgetPrefixAsync(string objectPrefix, CancellationToken cancellationToken);

    /// <summary>
    /// Crash leftovers: prefixes of imports begun before <paramref name="importsBegunBefore"/> that never committed,
    /// and of deletions that never finished.
    /// </summary>
    Task<IReadOnlyList<string>> ListAbandonedPrefixesAsync(DateTime importsBegunBefore, CancellationToken cancellationToken);
}
