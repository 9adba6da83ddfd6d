using Cauchy.Trainer.Worker;
using Cauchy.V1;
using Grpc.Core;

namespace Cauchy.Trainer.Grpc;

/// <summary>The cauchy.v1.Trainer gRPC service: the worker's status, and draining before a node goes away.</summary>
public sealed class TrainerService(WorkerStatusBoard board, DeviceProbe device, ILogger<TrainerService> logger) : V1.Trainer.TrainerBase
{
    public override Task<GetStatusResponse> GetStatus(GetStatusRequest request, ServerCallContext context) =>
        Task.FromResult(new GetStatusResponse { Status = board.Snapshot(device.Describe()) });

    public override Task<DrainResponse> Drain(DrainRequest request, ServerCallContext context)
    {
        logger.LogWarning("draining{Release}: {Reason}", request.ReleaseCurrentJob ? " and releasing the current job" : "",
            request.Reason.Length > 0 ? request.Reason : "no reason given");
        board.Drain(request.ReleaseCurrentJob);
        return Task.FromResult(new DrainResponse { Status = board.Snapshot(device.Describe()) });
    }
}
