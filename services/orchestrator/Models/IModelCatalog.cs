using Cauchy.V1;

namespace Cauchy.Orchestrator.Models;

/// <summary>
/// Whether a model version exists, for a spec's pretrained weights. The registry owns the answer
/// (<see cref="GrpcModelCatalog"/>); domain tests use an in-memory one.
/// </summary>
public interface IModelCatalog
{
    Task<bool> ExistsAsync(ModelVersionRef version, CancellationToken cancellationToken);
}
