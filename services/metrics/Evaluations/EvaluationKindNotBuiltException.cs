using Cauchy.V1;

namespace Cauchy.Metrics.Evaluations;

/// <summary>
/// A valid evaluation kind that this version of the service does not compute yet (detection and segmentation
/// come after classification). The gRPC layer answers UNIMPLEMENTED, so callers can tell it from their mistakes.
/// </summary>
public sealed class EvaluationKindNotBuiltException(EvaluationKind kind)
    : Exception($"{kind} evaluation is not built yet; this version of the metrics service evaluates classification only")
{
    public EvaluationKind Kind { get; } = kind;
}
