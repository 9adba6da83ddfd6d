using Cauchy.V1;
using Grpc.Core;

namespace Cauchy.Orchestrator.Models;

/// <summary>Asks the model registry (Services:Registry:Address); any failure other than NOT_FOUND propagates with its status.</summary>
public sealed class GrpcModelCatalog(V1.Models.ModelsClient client) : IModelCatalog
{
    public async Task<bool> ExistsAsync(ModelVersionRef version, CancellationToken cancellationToken)
    {
        try
        {
            await client.GetModelVersionAsync(new GetModelVersionRequest { ModelVersion = version }, cancellationToken: cancellationToken);
            return true;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return false;
        }
    }
}
