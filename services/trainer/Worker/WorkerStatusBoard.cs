using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace Cauchy.Trainer.Worker;

/// <summary>
/// What the worker is doing, shared by the worker loop (writer), GetStatus, Drain and the Prometheus gauges (readers).
/// </summary>
public sealed class WorkerStatusBoard
{
    private readonly Lock gate = new();
    private readonly TimeProvider time;
    private readonly Queue<(long Timestamp, long Samples)> throughput = new();
    private readonly DateTimeOffset started;
    private CancellationTokenSource releaseRequested = new();
    private RunningJob? current;
    private int jobsFinished;
    private bool draining;

    public WorkerStatusBoard(string workerId, TimeProvider time)
    {
        WorkerId = workerId;
        this.time = time;
        started = time.GetUtcNow();
    }

    public WorkerStatusBoard(IOptions<WorkerOptions> options, TimeProvider time)
        : this(options.Value.WorkerId, time)
    {
    }

    public string WorkerId { get; }

    public bool Draining
    {
        get
        {
            lock (gate)
            {
                return draining;
            }
        }
    }

    /// <summary>Cancelled when Drain asks for the current job to be released.</summary>
    public CancellationToken ReleaseRequested
    {
        get
        {
            lock (gate)
            {
                return releaseRequested.Token;
            }
        }
    }

    /// <summary>The running job's labels and latest values; null when idle.</summary>
    public RunningJob? Current
    {
        get
        {
            lock (gate)
            {
                return current;
            }
        }
    }

    public void Drain(bool releaseCurrentJob)
    {
        lock (gate)
        {
            draining = true;
            if (releaseCurrentJob && current is not null)
            {
                releaseRequested.Cancel();
            }
        }
    }

    public RunningJob Start(Job job)
    {
        lock (gate)
        {
            if (releaseRequested.IsCancellationRequested)
            {
                releaseRequested.Dispose();
                releaseRequested = new CancellationTokenSource();
            }

            throughput.Clear();
            current = new RunningJob(job.Id, job.Spec.Model.Architecture, job.Spec.Dataset.DatasetId, job.Spec.Hyperparameters.Epochs);
            return current;
        }
    }

    public void Finish()
    {
        lock (gate)
        {
            current = null;
            jobsFinished++;
            throughput.Clear();
        }
    }

    /// <summary>Counts trained samples for the one-minute throughput average.</summary>
    public void AddSamples(long samples)
    {
        lock (gate)
        {
            throughput.Enqueue((time.GetTimestamp(), samples));
            while (throughput.Count > 1 && time.GetElapsedTime(throughput.Peek().Timestamp) > TimeSpan.FromMinutes(1))
            {
                throughput.Dequeue();
            }
        }
    }

    /// <summary>Samples per second over the last minute (0 when idle or just started).</summary>
    public double SamplesPerSecond()
    {
        lock (gate)
        {
            return SamplesPerSecondLocked();
        }
    }

    public WorkerStatus Snapshot(DeviceInfo device)
    {
        lock (gate)
        {
            var status = new WorkerStatus
            {
                WorkerId = WorkerId,
                State = current is null ? WorkerState.Idle : WorkerState.Training,
                Draining = draining,
                CurrentJobId = current?.JobId ?? "",
                Device = device,
                JobsFinished = jobsFinished,
                StartTime = Timestamp.FromDateTimeOffset(started),
                Version = typeof(WorkerStatusBoard).Assembly.GetName().Version?.ToString() ?? "",
            };
            if (current is not null)
            {
                status.Progress = current.Progress.Clone();
            }

            status.SamplesPerSecond = SamplesPerSecondLocked();
            return status;
        }
    }

    private double SamplesPerSecondLocked()
    {
        if (current is null || throughput.Count < 2)
        {
            return 0;
        }

        double seconds = time.GetElapsedTime(throughput.Peek().Timestamp).TotalSeconds;
        return seconds > 0 ? throughput.Skip(1).Sum(t => t.Samples) / seconds : 0;
    }
}

/// <summary>The job a worker runs: its Prometheus labels and the latest values it reported.</summary>
public sealed class RunningJob(string jobId, string model, string dataset, int totalEpochs)
{
    public string JobId { get; } = jobId;

    public string Model { get; } = model;

    public string Dataset { get; } = dataset;

    /// <summary>Replaced (never mutated) by the worker; readers clone it.</summary>
    public JobProgress Progress { get; set; } = new() { Phase = JobPhase.Preparing, TotalEpochs = totalEpochs };

    public double? TrainLoss { get; set; }

    public double? LearningRate { get; set; }

    public double? ValidationAccuracy { get; set; }

    public double? SamplesPerSecond { get; set; }

    public long? GpuMemoryBytes { get; set; }
}
