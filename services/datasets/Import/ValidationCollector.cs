using Cauchy.Datasets.Formats;
using Cauchy.V1;

namespace Cauchy.Datasets.Import;

/// <summary>Collects the issues of one import into a <see cref="ValidationReport"/>: counts per kind, the first 1000 issues.</summary>
public sealed class ValidationCollector : IIssueSink
{
    public const int MaxListedIssues = 1000;

    private readonly Dictionary<ValidationIssueKind, long> _counts = [];

    public ValidationReport Summary { get; } = new();

    public long IssueCount { get; private set; }

    /// <summary>Samples the format reader dropped before the importer saw them.</summary>
    public long SamplesDroppedByReader { get; private set; }

    /// <summary>Class labels that are not in the class list, as the source wrote them (for the rejection message).</summary>
    public SortedSet<string> UnknownClassLabels { get; } = new(StringComparer.Ordinal);

    public void Report(ValidationIssueKind kind, string sampleId, string sourcePath, int annotationIndex, string message, bool dropsSample)
    {
        if (dropsSample)
        {
            SamplesDroppedByReader++;
        }
        Report(kind, sampleId, sourcePath, annotationIndex, message);
    }

    public void Report(ValidationIssueKind kind, string sampleId, string sourcePath, int annotationIndex, string message)
    {
        IssueCount++;
        _counts[kind] = _counts.GetValueOrDefault(kind) + 1;
        if (Summary.Issues.Count < MaxListedIssues)
        {
            Summary.Issues.Add(new ValidationIssue
            {
                Kind = kind,
                SampleId = sampleId,
                SourcePath = sourcePath,
                AnnotationIndex = annotationIndex,
                Message = message,
            });
        }
        else
        {
            Summary.IssuesTruncated = true;
        }
    }

    /// <summary>Fills the per-kind counts (in enum order) and returns the finished report.</summary>
    public ValidationReport Finish()
    {
        Summary.IssueCounts.Clear();
        foreach (var (kind, count) in _counts.OrderBy(p => p.Key))
        {
            Summary.IssueCounts.Add(new ValidationIssueCount { Kind = kind, Count = count });
        }
        return Summary;
    }

    /// <summary>A sentence for an INVALID_ARGUMENT that rejects the import: the counts and the first few issues.</summary>
    public string RejectionMessage()
    {
        var counts = string.Join(", ", _counts.OrderBy(p => p.Key).Select(p => $"{p.Value} {KindName(p.Key)}"));
        var first = string.Join("; ", Summary.Issues.Take(5).Select(i =>
            $"{KindName(i.Kind)} {(i.SampleId.Length > 0 ? $"sample '{i.SampleId}' " : "")}in '{i.SourcePath}': {i.Message}"));
        var unknown = UnknownClassLabels.Count == 0 ? "" : $"; unknown classes: {string.Join(", ", UnknownClassLabels.Take(20))}";
        return $"import rejected (invalid_samples = REJECT_IMPORT): {IssueCount} validation issue(s) ({counts}){unknown}; first: {first}";
    }

    public static string KindName(ValidationIssueKind kind) => kind switch
    {
        ValidationIssueKind.CorruptImage => "CORRUPT_IMAGE",
        ValidationIssueKind.BoxOutsideImage => "BOX_OUTSIDE_IMAGE",
        ValidationIssueKind.DegenerateBox => "DEGENERATE_BOX",
        ValidationIssueKind.UnknownClassId => "UNKNOWN_CLASS_ID",
        ValidationIssueKind.DuplicateId => "DUPLICATE_ID",
        ValidationIssueKind.MissingImage => "MISSING_IMAGE",
        ValidationIssueKind.MaskSizeMismatch => "MASK_SIZE_MISMATCH",
        ValidationIssueKind.MalformedAnnotation => "MALFORMED_ANNOTATION",
        _ => kind.ToString(),
    };
}
