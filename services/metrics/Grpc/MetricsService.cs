namespace Cauchy.Metrics.Grpc;

/// <summary>
/// The cauchy.v1.Metrics gRPC service: translates between the protos and the domain.
/// Not built yet: classification evaluation arrives with issue 5, detection and segmentation after it. Until then the generated base answers every RPC with UNIMPLEMENTED.
/// </summary>
public sealed class MetricsService : Cauchy.V1.Metrics.MetricsBase;
