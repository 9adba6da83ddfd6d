using System.Runtime.CompilerServices;
using Cauchy.Orchestrator.Data;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>WatchJob: a job's snapshot, then its events as they are appended.</summary>
public sealed class JobWatch(JobStore store)
{
    /// <summary>One snapshot of the job, then its events as they are appended, ending after a terminal state change.</summary>
    public async IAsyncEnumerable<JobEvent> WatchAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        JobStore.RequireId("job_id", jobId);
        var changed = store.Signals.JobsChanged;
        long last;
        Job snapshot;
        await using (var db = await store.Factory.CreateDbContextAsync(cancellationToken))
        {
            var record = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId, cancellationToken)
                ?? throw JobErrors.JobNotFound(jobId);
            snapshot = JobEntities.ToProto(record);
            last = record.EventCount;
        }

        yield return new JobEvent { JobId = jobId, Time = Timestamp.FromDateTime(store.Now), Snapshot = snapshot };
        if (JobStateMachine.IsTerminal(snapshot.State))
        {
            yield break;
        }

        while (true)
        {
            List<JobEventEntity> events;
            await using (var db = await store.Factory.CreateDbContextAsync(cancellationToken))
            {
                events = await db.JobEvents.AsNoTracking()
                    .Where(e => e.JobId == jobId && e.Sequence > last)
                    .OrderBy(e => e.Sequence).Take(JobStore.ReadBatch)
                    .ToListAsync(cancellationToken);
            }

            foreach (var record in events)
            {
                last = record.Sequence;
                var jobEvent = JobEvent.Parser.ParseFrom(record.Payload);
                yield return jobEvent;
                if (jobEvent.StateChanged is { } change && JobStateMachine.IsTerminal(change.State))
                {
                    yield break;
                }
            }

            if (events.Count == 0)
            {
                await JobStore.WaitAsync(changed, store.Options.Poll, cancellationToken);
                changed = store.Signals.JobsChanged;
            }
        }
    }
}
