namespace Cauchy.Trainer.Grpc;

/// <summary>
/// The cauchy.v1.Trainer gRPC service: translates between the protos and the domain.
/// Not built yet: the worker loop and its status arrive with issue 5. Until then the generated base answers every RPC with UNIMPLEMENTED.
/// </summary>
public sealed class TrainerService : Cauchy.V1.Trainer.TrainerBase;
