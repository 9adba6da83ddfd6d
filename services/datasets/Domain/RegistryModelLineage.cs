using Cauchy.Domain;
using Cauchy.V1;
using Grpc.Core;

namespace Cauchy.Datasets.Domain;

/// <summary>
/// Asks the model registry (Models.ListVersionsByDataset) whether any model version
/// was trained on a dataset version. The deletion policy is "refuse": a referenced version stays until its models
/// are deleted, so a registered model's lineage never points at data that is gone.
/// </summary>
public sealed class RegistryModelLineage(Models.ModelsClient registry) : IModelLineage
{
    public async Task EnsureNotReferencedAsync(string datasetId, string versionId, CancellationToken cancellationToken)
    {
        ListVersionsByDatasetResponse response;
        try
        {
            response = await registry.ListVersionsByDatasetAsync(new ListVersionsByDatasetRequest
            {
                PageSize = 1,
                DatasetVersion = new DatasetVersionRef { DatasetId = datasetId, VersionId = versionId },
            }, cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            throw new DomainException(DomainErrorKind.Unavailable,
                $"cannot ask the model registry whether a model was trained on dataset version '{datasetId}/{versionId}' ({e.StatusCode}: {e.Status.Detail}); nothing was deleted");
        }
        if (response.ModelVersions.FirstOrDefault() is { } model)
        {
            throw DomainException.FailedPrecondition(
                $"dataset version '{datasetId}/{versionId}' is in the lineage of model '{model.ModelName}' version {model.Version}; delete that model version first");
        }
    }
}
