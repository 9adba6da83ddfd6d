using Cauchy.V1;
using Google.Protobuf;

namespace Cauchy.Registry.Domain;

/// <summary>A version to register, whichever call brought it: a trained upload or a pretrained import.</summary>
internal sealed record NewVersion(
    string ModelName, TaskType? TaskType, string? Architecture, Lineage? Lineage, PretrainedSource? Pretrained,
    IReadOnlyList<MetricValue> Metrics, IReadOnlyList<string> ClassNames, string Description,
    IReadOnlyDictionary<string, string>? Labels, ByteString ModelCardJson, string? IdempotencyKey);
