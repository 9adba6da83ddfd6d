namespace Cauchy.Metrics.Evaluations;

/// <summary>
/// What one Evaluate call may ask of the service (section "Metrics:Limits"; environment
/// CAUCHY_METRICS__LIMITS__&lt;KEY&gt;), checked at start-up by <see cref="EvaluationLimitsValidator"/>. A request over a
/// limit is refused with INVALID_ARGUMENT naming the limit, at the header when the header shows it, before any memory
/// is set aside for it. docs/limits.md lists them.
/// </summary>
public sealed class EvaluationLimits
{
    public const string SectionName = "Metrics:Limits";

    /// <summary>
    /// The most classes (class names, or COCO categories) of one evaluation. An evaluation stores a confusion matrix
    /// of classes² counts and per-class results: at 1,024 classes that is a million counts, about 1 MiB encoded, so a
    /// stored evaluation stays well under the 4 MiB a default gRPC client accepts and is read back and listed quickly.
    /// It covers ImageNet-1k (1,000 classes); an operator may raise it, at a cost of classes² bytes per evaluation.
    /// </summary>
    public int MaxClasses { get; set; } = 1024;

    /// <summary>The largest segmentation mask, in pixels (width × height): 4096 × 4096. Each pair of masks is decoded in memory.</summary>
    public long MaxImagePixels { get; set; } = 4096L * 4096;

    /// <summary>
    /// The most samples (images) of one evaluation. Classification and segmentation keep only counts, but detection
    /// keeps every image's boxes until the end, so its memory grows with the samples.
    /// </summary>
    public long MaxSamples { get; set; } = 1_000_000;
}
