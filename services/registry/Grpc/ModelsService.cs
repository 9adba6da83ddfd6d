namespace Cauchy.Registry.Grpc;

/// <summary>
/// The cauchy.v1.Models gRPC service: translates between the protos and the domain.
/// Not built yet: models, versions, stages, lineage and artifacts arrive with issue 4. Until then the generated base answers every RPC with UNIMPLEMENTED.
/// </summary>
public sealed class ModelsService : Cauchy.V1.Models.ModelsBase;
