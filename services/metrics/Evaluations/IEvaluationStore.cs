using Cauchy.V1;

namespace Cauchy.Metrics.Evaluations;

/// <summary>Where evaluations are kept: the metrics service's own database.</summary>
public interface IEvaluationStore
{
    Task SaveAsync(Evaluation evaluation, CancellationToken cancellationToken);

    /// <summary>The evaluation with all its details, or null.</summary>
    Task<Evaluation?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Evaluations matching <paramref name="filter"/>, newest first.</summary>
    Task<EvaluationPage> ListAsync(EvaluationFilter filter, int pageSize, string? pageToken, CancellationToken cancellationToken);
}

/// <param name="ModelName">Only this model's evaluations; null for any.</param>
/// <param name="ModelVersion">Only this version of <paramref name="ModelName"/>; 0 for every version.</param>
/// <param name="DatasetId">Only evaluations that name this dataset; null for any.</param>
/// <param name="DatasetVersionId">Only this version of <paramref name="DatasetId"/>; null for every version.</param>
public sealed record EvaluationFilter(
    string? JobId, string? ModelName, int ModelVersion, EvaluationKind? Kind, bool IncludeDetails, string? DatasetId = null, string? DatasetVersionId = null);

public sealed record EvaluationPage(IReadOnlyList<Evaluation> Evaluations, string? NextPageToken);
