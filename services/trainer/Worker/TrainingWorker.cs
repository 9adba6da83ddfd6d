using Cauchy.Torch.Models;
using Cauchy.Trainer.Execution;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Cauchy.Trainer.Worker;

/// <summary>
/// The worker loop: lease a job that fits this device (long-polling LeaseJob), run it, repeat — until the process
/// stops or the worker is drained. One job at a time. On shutdown the running job writes a checkpoint and is
/// released, so another worker resumes it.
/// </summary>
public sealed class TrainingWorker(
    Jobs.JobsClient jobs,
    JobRun run,
    WorkerStatusBoard board,
    DeviceProbe device,
    TimeProvider time,
    IOptions<WorkerOptions> options,
    ILogger<TrainingWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        WorkerOptions settings = options.Value;
        if (!settings.Enabled)
        {
            logger.LogInformation("Trainer:Enabled is false: leasing no jobs");
            return;
        }

        await Task.Yield();
        logger.LogInformation("worker {WorkerId} leasing jobs for {Device} ({Architectures} architectures)",
            board.WorkerId, device.Describe().Name, ModelZoo.Names.Count);
        int failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (board.Draining)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                continue;
            }

            LeaseJobResponse lease;
            try
            {
                var request = new LeaseJobRequest
                {
                    WorkerId = board.WorkerId,
                    Device = device.Describe(),
                    Wait = Duration.FromTimeSpan(TimeSpan.FromSeconds(settings.LeaseWaitSeconds)),
                };
                request.Architectures.AddRange(ModelZoo.Names);
                lease = await jobs.LeaseJobAsync(request, deadline: DateTime.UtcNow.AddSeconds(settings.LeaseWaitSeconds + 30), cancellationToken: stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is RpcException or Polly.CircuitBreaker.BrokenCircuitException)
            {
                failures++;
                TimeSpan backoff = TimeSpan.FromSeconds(Math.Min(10, 0.5 * failures));
                if (failures == 1 || failures % 20 == 0)
                {
                    logger.LogWarning("LeaseJob failed ({Failures} in a row), retrying in {Backoff}: {Error}", failures, backoff, e.Message);
                }

                await Task.Delay(backoff, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                continue;
            }

            if (lease.Job is null || lease.LeaseId.Length == 0)
            {
                continue;
            }

            logger.LogInformation("leased job {JobId} (attempt {Attempt}, lease {LeaseId})", lease.Job.Id, lease.Job.Attempt, lease.LeaseId);
            await run.RunAsync(lease, stoppingToken);
        }
    }
}
