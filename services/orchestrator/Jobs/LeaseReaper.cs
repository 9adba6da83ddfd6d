using Microsoft.Extensions.Options;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>
/// A level-triggered control loop: every Jobs:ReaperIntervalSeconds it asks the database which leases have run out
/// (or which running jobs have used up spec.max_run_duration) and applies the state machine to each
/// (<see cref="JobLeases.ExpireLeasesAsync"/>). It keeps no state of its own,
/// so a restarted orchestrator simply carries on, and a pass that fails is repeated by the next one.
/// </summary>
public sealed class LeaseReaper(JobLeases leases, IOptions<JobsOptions> options, TimeProvider time, ILogger<LeaseReaper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReaperInterval, time);
        do
        {
            try
            {
                await leases.ExpireLeasesAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Lease reaper pass failed; the next pass tries again");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
