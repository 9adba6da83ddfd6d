namespace Cauchy.Datasets.Formats;

/// <summary>
/// What a format reader makes of an extracted archive: the class names (ids are indexes into them) and the samples,
/// produced lazily one at a time so that a large archive is never held in memory. <paramref name="ClassSourceIds"/>
/// holds the source's own id of each class where the source has one (COCO's category ids), else null.
/// </summary>
public sealed record SourceDataset(IReadOnlyList<string> ClassNames, IEnumerable<SourceSample> Samples, IReadOnlyList<long>? ClassSourceIds = null);
