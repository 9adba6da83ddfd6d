using Microsoft.Extensions.Options;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>
/// A level-triggered control loop: every Jobs:ReaperIntervalSeconds it writes the orchestrator's own heartbeat,
/// crediting active leases with any time no orchestrator was running (<see cref="LeaseOutageCredit"/>), then asks the
/// database which leases have run out (or which running jobs have used up spec.max_run_duration) and applies the state
/// machine to each (<see cref="JobLeases.ExpireLeasesAsync"/>). It keeps no state of its own, so a restarted
/// orchestrator simply carries on, and a pass that fails is repeated by the next one.
/// </summary>
public sealed class LeaseReaper(JobLeases leases, LeaseOutageCredit credit, IOptions<JobsOptions> options, TimeProvider time, ILogger<LeaseReaper> logger) : BackgroundService
{
    /// <summary>
    /// The first heartbeat runs here, before the gRPC port opens (hosted services start before the server): leases are
    /// extended for the outage before any worker's heartbeat can find one run out.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await credit.BeatAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(ex, "The orchestrator's heartbeat at start-up failed; the reaper's first pass tries again");
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReaperInterval, time);
        do
        {
            try
            {
                // No expiry pass without a heartbeat first: a pass after a failed one must not charge leases for the gap.
                await credit.BeatAsync(stoppingToken);
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
