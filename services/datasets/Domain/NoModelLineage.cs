namespace Cauchy.Datasets.Domain;

/// <summary>Used when Datasets:CheckRegistryLineage is false (a deployment without a registry): nothing is checked.</summary>
public sealed class NoModelLineage : IModelLineage
{
    public Task EnsureNotReferencedAsync(string datasetId, string versionId, CancellationToken cancellationToken) => Task.CompletedTask;
}
