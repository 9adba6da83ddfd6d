using Cauchy.V1;

namespace Cauchy.Orchestrator.Datasets;

/// <summary>
/// What the orchestrator needs to know about datasets at submission: which version to pin, and whether it fits the
/// spec. The datasets service owns the answer (<see cref="GrpcDatasetCatalog"/>); domain tests use an in-memory one.
/// </summary>
public interface IDatasetCatalog
{
    /// <summary>
    /// The version <paramref name="reference"/> names, or the dataset's newest when its version_id is empty.
    /// A resolution with <see cref="DatasetResolution.Missing"/> set when the dataset or version does not exist (or the
    /// dataset has no version yet), saying which.
    /// </summary>
    Task<DatasetResolution> ResolveAsync(DatasetVersionRef reference, CancellationToken cancellationToken);
}

/// <summary>
/// A resolved version, or why there is none (<see cref="Missing"/>). <see cref="ClassCount"/> and
/// <see cref="TrainImages"/> (the train split's image sizes and channel counts) are null when the catalogue does not
/// know them; what depends on them is then left to the trainer.
/// </summary>
public sealed record DatasetResolution(
    string DatasetId,
    string VersionId,
    TaskType TaskType,
    long TrainSamples,
    string? Missing,
    int? ClassCount = null,
    ImageSizeStatistics? TrainImages = null)
{
    public static DatasetResolution Found(string datasetId, string versionId, TaskType taskType, long trainSamples, int? classCount = null, ImageSizeStatistics? trainImages = null) =>
        new(datasetId, versionId, taskType, trainSamples, null, classCount, trainImages);

    public static DatasetResolution NotFound(string why) => new("", "", TaskType.Unspecified, 0, why);
}
