using System.Runtime.CompilerServices;
using Cauchy.Domain;
using Cauchy.Orchestrator.Data;
using Cauchy.V1;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>AppendLogs and StreamLogs: a job's log lines, written by its worker under the lease and read in order.</summary>
public sealed class JobLogs(JobStore store)
{
    /// <summary>Appends log lines under the lease; the server numbers them in arrival order.</summary>
    public async Task<int> AppendLogsAsync(string leaseId, IReadOnlyList<LogLine> lines, CancellationToken cancellationToken)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            TextLimits.Check(lines[i].Text, TextLimits.LogLine, $"lines[{i}].text");
        }

        if (lines.Count == 0)
        {
            await store.WithLeaseAsync(leaseId, (_, _, _, _) => Task.FromResult(0), cancellationToken);
            return 0;
        }

        await store.WithLeaseAsync(leaseId, async (db, job, lease, now) =>
        {
            foreach (var line in lines)
            {
                var text = line.Text.TrimEnd('\n', '\r');
                JobEntities.AppendLog(db, job, line.Time?.ToDateTime() ?? now, lease.WorkerId, text);
            }

            await JobStore.SaveTransitionAsync(db, cancellationToken);
            return 0;
        }, cancellationToken);
        store.Signals.PulseJobs();
        return lines.Count;
    }

    /// <summary>
    /// A job's log lines in order, in batches. With <paramref name="follow"/> it waits for new lines until the job is
    /// terminal and every line has been sent.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<LogLine>> StreamLogsAsync(
        string jobId, bool follow, long tailLines, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        JobStore.RequireId("job_id", jobId);
        if (tailLines < 0 || afterSequence < 0)
        {
            throw DomainException.InvalidArgument(tailLines < 0 ? "tail_lines" : "after_sequence", "must not be negative");
        }

        var first = true;
        var last = afterSequence;
        while (true)
        {
            var changed = store.Signals.JobsChanged;
            JobState state;
            long count;
            await using (var db = await store.Factory.CreateDbContextAsync(cancellationToken))
            {
                var position = await db.Jobs.AsNoTracking().Where(j => j.Id == jobId)
                    .Select(j => new { j.State, j.LogCount }).SingleOrDefaultAsync(cancellationToken)
                    ?? throw JobErrors.JobNotFound(jobId);
                (state, count) = ((JobState)position.State, position.LogCount);
            }

            if (first && tailLines > 0)
            {
                last = Math.Max(last, count - tailLines);
            }

            first = false;
            while (true)
            {
                List<JobLogLineEntity> lines;
                await using (var db = await store.Factory.CreateDbContextAsync(cancellationToken))
                {
                    lines = await db.JobLogLines.AsNoTracking()
                        .Where(l => l.JobId == jobId && l.Sequence > last)
                        .OrderBy(l => l.Sequence).Take(JobStore.ReadBatch)
                        .ToListAsync(cancellationToken);
                }

                if (lines.Count == 0)
                {
                    break;
                }

                last = lines[^1].Sequence;
                yield return lines.Select(JobEntities.ToProto).ToList();
            }

            if (!follow || (JobStateMachine.IsTerminal(state) && last >= count))
            {
                yield break;
            }

            await JobStore.WaitAsync(changed, store.Options.Poll, cancellationToken);
        }
    }
}
