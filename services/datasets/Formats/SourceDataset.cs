namespace Cauchy.Datasets.Formats;

/// <summary>
/// What a format reader makes of an extracted archive: the class names (ids are indexes into them) and the samples,
/// produced lazily one at a time so that a large archive is never held in memory.
/// </summary>
public sealed record SourceDataset(IReadOnlyList<string> ClassNames, IEnumerable<SourceSample> Samples);
