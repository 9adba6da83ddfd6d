namespace Cauchy.Metrics.Data;

/// <summary>
/// One stored evaluation: the columns lists filter and order on, and the whole <c>cauchy.v1.Evaluation</c> as
/// protobuf bytes (its per-class results and confusion matrix are read only as a whole).
/// </summary>
public sealed class EvaluationEntity
{
    public required string Id { get; set; }

    public int Kind { get; set; }

    public string JobId { get; set; } = "";

    public string ModelName { get; set; } = "";

    public int ModelVersion { get; set; }

    /// <summary>The dataset and version the evaluation names (Evaluation.dataset_version); empty when it names none.</summary>
    public string DatasetId { get; set; } = "";

    public string DatasetVersionId { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    public required byte[] Payload { get; set; }
}
