namespace Cauchy.Datasets.Grpc;

/// <summary>
/// The cauchy.v1.Datasets gRPC service: translates between the protos and the domain.
/// Not built yet: dataset metadata and shards; import, validation, versions and the streaming read API arrive with issue 4. Until then the generated base answers every RPC with UNIMPLEMENTED.
/// </summary>
public sealed class DatasetsService : Cauchy.V1.Datasets.DatasetsBase;
