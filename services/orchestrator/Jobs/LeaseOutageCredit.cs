using System.Globalization;
using Cauchy.Orchestrator.Data;
using Cauchy.V1;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>
/// Leases are not charged for time no orchestrator was running. Every pass of the lease reaper, on any replica, writes
/// the orchestrator's own heartbeat row. A pass that finds the last beat older than the usual gap between passes knows
/// that no orchestrator (or none that could reach the database) was there to hear workers' heartbeats for the
/// difference, and extends every active lease by it before any lease is looked at for expiry. At start-up this runs
/// before the gRPC port opens, so a worker's first heartbeat after an outage finds its lease still alive.
/// </summary>
public sealed class LeaseOutageCredit(JobStore store, ILogger<LeaseOutageCredit> logger)
{
    /// <summary>Writes the heartbeat; returns the outage it found and credited (zero when there was none).</summary>
    public async Task<TimeSpan> BeatAsync(CancellationToken cancellationToken)
    {
        var holding = new[] { (int)JobState.Running, (int)JobState.Cancelling };
        var (outage, extended) = await store.TransactAsync(async (db, ct) =>
        {
            var now = store.Now;
            var beat = await db.OrchestratorHeartbeats.SingleOrDefaultAsync(h => h.Id == OrchestratorHeartbeatEntity.SingleId, ct);
            if (beat is null)
            {
                db.OrchestratorHeartbeats.Add(new OrchestratorHeartbeatEntity { Id = OrchestratorHeartbeatEntity.SingleId, BeatAt = now });
                await db.SaveChangesAsync(ct);
                return (TimeSpan.Zero, 0);
            }

            // One reaper interval between beats is the normal rhythm, and a pass late by less than another is no outage.
            var outage = now - beat.BeatAt - store.Options.ReaperInterval;
            var extended = 0;
            if (outage > store.Options.ReaperInterval)
            {
                var jobs = await db.Jobs.Where(j => holding.Contains(j.State) && j.LeaseExpiresAt != null).ToListAsync(ct);
                foreach (var job in jobs)
                {
                    job.LeaseExpiresAt += outage;
                    JobEntities.AppendLog(db, job, now, JobEntities.OrchestratorWorkerId, string.Create(CultureInfo.InvariantCulture,
                        $"lease extended by {outage.TotalSeconds:F0} s: no orchestrator was running from {beat.BeatAt:O} to {now:O}"));
                }

                extended = jobs.Count;
            }
            else
            {
                outage = TimeSpan.Zero;
            }

            beat.BeatAt = now;
            await JobStore.SaveTransitionAsync(db, ct);
            return (outage, extended);
        }, cancellationToken);
        if (outage > TimeSpan.Zero)
        {
            logger.LogWarning("No orchestrator was running for {OutageSeconds:F0} s; extended {Count} active leases by that time", outage.TotalSeconds, extended);
        }

        return outage;
    }
}
