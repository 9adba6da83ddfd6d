using Cauchy.V1;

namespace Cauchy.Datasets.Formats;

/// <summary>Where format readers and the importer report validation issues.</summary>
public interface IIssueSink
{
    /// <param name="dropsSample">The reporter drops the whole sample (it is counted as seen and dropped).</param>
    void Report(ValidationIssueKind kind, string sampleId, string sourcePath, int annotationIndex, string message, bool dropsSample);
}
