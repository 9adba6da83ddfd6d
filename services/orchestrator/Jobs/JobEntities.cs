using Cauchy.Orchestrator.Data;
using Cauchy.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Cauchy.Orchestrator.Jobs;

/// <summary>Translates job entities to <c>cauchy.v1.Job</c> and builds the entities that go with a transition.</summary>
public static class JobEntities
{
    /// <summary>The worker id on lines and events the orchestrator itself writes.</summary>
    public const string OrchestratorWorkerId = "orchestrator";

    public static Job ToProto(JobEntity record)
    {
        var job = new Job
        {
            Id = record.Id,
            Spec = JobSpec.Parser.ParseFrom(record.Spec),
            State = (JobState)record.State,
            Attempt = record.Attempt,
            CreateTime = Timestamp.FromDateTime(record.CreatedAt),
            UpdateTime = Timestamp.FromDateTime(record.UpdatedAt),
            WorkerId = record.WorkerId,
            ErrorMessage = record.ErrorMessage,
            IdempotencyKey = record.IdempotencyKey ?? "",
            FailureCount = record.FailureCount,
            Owner = record.Owner,
        };
        if (record.StartedAt is { } started)
        {
            job.StartTime = Timestamp.FromDateTime(started);
        }

        if (record.EndedAt is { } ended)
        {
            job.EndTime = Timestamp.FromDateTime(ended);
        }

        if (record.Progress is { } progress)
        {
            job.Progress = JobProgress.Parser.ParseFrom(progress);
        }

        if (record.LatestCheckpoint is { } checkpoint)
        {
            job.LatestCheckpoint = Checkpoint.Parser.ParseFrom(checkpoint);
        }

        if (record.LastMetrics is { } metrics)
        {
            job.LastMetrics.AddRange(MetricSeries.Parser.ParseFrom(metrics).Points);
        }

        if (record.ResultModelName.Length > 0)
        {
            job.ResultModelVersion = new ModelVersionRef { ModelName = record.ResultModelName, Version = record.ResultModelVersion, VersionId = record.ResultModelVersionId };
        }

        return job;
    }

    /// <summary>Moves <paramref name="job"/> to <paramref name="state"/> and appends the state-change event.</summary>
    public static void ChangeState(OrchestratorDbContext db, JobEntity job, JobState state, string reason, DateTime now)
    {
        var previous = (JobState)job.State;
        job.State = (int)state;
        job.UpdatedAt = now;
        if (JobStateMachine.IsTerminal(state))
        {
            job.EndedAt = now;
        }

        if (!JobStateMachine.HoldsLease(state))
        {
            job.LeaseId = null;
            job.LeaseExpiresAt = null;
            if (job.AttemptStartedAt is { } started)
            {
                // The attempt is over: its run time counts towards spec.max_run_duration.
                job.RunTicks += Math.Max(0, (now - started).Ticks);
                job.AttemptStartedAt = null;
            }
        }

        AppendEvent(db, job, now, new JobEvent
        {
            StateChanged = new JobStateChange { PreviousState = previous, State = state, Attempt = job.Attempt, Reason = reason },
        });
    }

    public static void AppendEvent(OrchestratorDbContext db, JobEntity job, DateTime now, JobEvent jobEvent)
    {
        job.EventCount++;
        jobEvent.JobId = job.Id;
        jobEvent.Time = Timestamp.FromDateTime(now);
        db.JobEvents.Add(new JobEventEntity { JobId = job.Id, Sequence = job.EventCount, Time = now, Payload = jobEvent.ToByteArray() });
    }

    /// <summary>Appends a line to the job's log under the next sequence number.</summary>
    public static void AppendLog(OrchestratorDbContext db, JobEntity job, DateTime time, string workerId, string text)
    {
        job.LogCount++;
        db.JobLogLines.Add(new JobLogLineEntity
        {
            JobId = job.Id,
            Sequence = job.LogCount,
            Time = time,
            Attempt = job.Attempt,
            WorkerId = workerId,
            Text = text,
        });
    }

    public static LogLine ToProto(JobLogLineEntity line) => new()
    {
        Sequence = line.Sequence,
        Time = Timestamp.FromDateTime(line.Time),
        Attempt = line.Attempt,
        WorkerId = line.WorkerId,
        Text = line.Text,
    };
}
