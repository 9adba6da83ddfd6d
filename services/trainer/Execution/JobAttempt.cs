using Cauchy.Trainer.Worker;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;

namespace Cauchy.Trainer.Execution;

/// <summary>
/// One attempt of one leased job as the pipeline's steps see it: the lease and its keeper, the worker's view of the
/// job, the attempt's scratch folder, and the progress and metric points it reports through the keeper.
/// </summary>
public sealed class JobAttempt(LeaseJobResponse lease, LeaseKeeper keeper, RunningJob running, string workDir, TimeProvider time)
{
    private readonly Lock _gate = new();
    private TrainingPlan _plan = new(0, lease.Job.Spec.Hyperparameters.Epochs, 0);

    public LeaseJobResponse Lease => lease;

    public Job Job => lease.Job;

    public JobSpec Spec => lease.Job.Spec;

    public LeaseKeeper Keeper => keeper;

    public RunningJob Running => running;

    public string WorkDir => workDir;

    public TimeProvider Time => time;

    /// <summary>The steps and epochs this attempt trains; known once the data is prepared.</summary>
    public TrainingPlan Plan
    {
        get
        {
            lock (_gate)
            {
                return _plan;
            }
        }

        set
        {
            lock (_gate)
            {
                _plan = value;
            }
        }
    }

    /// <summary>Set when a drain or a shutdown stopped training and a checkpoint of the current step was written for whoever resumes the job.</summary>
    public bool ReleaseCheckpointWritten { get; set; }

    public void Log(string text) => keeper.Log(text);

    /// <summary>A metric point for the next heartbeat.</summary>
    public void Record(string name, double value, long step, int epoch) =>
        keeper.Record(new MetricValue { Name = name, Value = value, Step = step, Epoch = epoch, Time = Timestamp.FromDateTimeOffset(time.GetUtcNow()) });

    /// <summary>The phase and position for GetStatus and the next heartbeat, with an estimate of the time left.</summary>
    public void Report(JobPhase phase, int epoch = 0, long step = 0, double samplesPerSecond = 0)
    {
        TrainingPlan plan = Plan;
        var progress = new JobProgress
        {
            Phase = phase,
            Epoch = epoch,
            TotalEpochs = plan.Epochs,
            Step = step,
            TotalSteps = plan.TotalSteps,
            SamplesPerSecond = samplesPerSecond > 0 ? samplesPerSecond : running.Progress.SamplesPerSecond,
        };
        if (progress.SamplesPerSecond > 0 && plan.TotalSteps > step)
        {
            double seconds = (plan.TotalSteps - step) * (double)Spec.Hyperparameters.BatchSize / progress.SamplesPerSecond;
            progress.Eta = Duration.FromTimeSpan(TimeSpan.FromSeconds(Math.Round(seconds)));
        }

        running.Progress = progress;
        keeper.Report(progress);
    }
}
