using Cauchy.V1;

namespace Cauchy.Datasets.Formats;

/// <summary>Reads one archive layout (see DatasetFormat in datasets.proto) from an extracted folder.</summary>
public interface IDatasetFormatReader
{
    DatasetFormat Format { get; }

    /// <summary>The task type the format's annotations are for.</summary>
    TaskType TaskType { get; }

    /// <param name="root">The extracted archive.</param>
    /// <param name="files">The archive's files, relative and '/'-separated, in archive order.</param>
    /// <param name="classNames">The header's class names; empty when the header gave none.</param>
    /// <param name="issues">Where to report samples the reader cannot use (missing images, malformed annotations).</param>
    SourceDataset Read(string root, IReadOnlyList<string> files, IReadOnlyList<string> classNames, IIssueSink issues);
}
