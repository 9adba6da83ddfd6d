namespace Cauchy.Orchestrator.Grpc;

/// <summary>
/// The cauchy.v1.Jobs gRPC service: translates between the protos and the domain.
/// Not built yet: the job queue and state machine, leases, events and logs arrive with issue 5. Until then the generated base answers every RPC with UNIMPLEMENTED.
/// </summary>
public sealed class JobsService : Cauchy.V1.Jobs.JobsBase;
